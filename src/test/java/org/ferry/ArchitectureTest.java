package org.ferry;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layering: a package uses only packages below it, so a new store driver or import step never reaches
 * up into the API or the wiring, and no two packages depend on each other.
 * <pre>
 *   app → {api, ops, replication} → flow → {data, remote} → store → {catalog, auth, config}
 *   api, ops and replication may also use http; http uses auth only; remote uses catalog (the image domain), auth
 *   and config;
 *   data uses store and catalog; config (the file's typed options) and json (the one shared Jackson mapper) may be
 *   used by every package.
 * </pre>
 * The rules run from {@code @ArchTest} methods: Surefire 3.5.3 silently skips {@code @ArchTest} fields.
 */
@AnalyzeClasses(packages = "org.ferry", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("app").definedBy("org.ferry.app..")
            .layer("api").definedBy("org.ferry.api..")
            .layer("ops").definedBy("org.ferry.ops..")
            .layer("replication").definedBy("org.ferry.replication..")
            .layer("http").definedBy("org.ferry.http..")
            .layer("flow").definedBy("org.ferry.flow..")
            .layer("data").definedBy("org.ferry.data..")
            .layer("remote").definedBy("org.ferry.remote..")
            .layer("store").definedBy("org.ferry.store..")
            .layer("catalog").definedBy("org.ferry.catalog..")
            .layer("auth").definedBy("org.ferry.auth..")
            .layer("config").definedBy("org.ferry.config..")
            .layer("json").definedBy("org.ferry.json..")

            .whereLayer("app").mayNotBeAccessedByAnyLayer()
            .whereLayer("api")
            .mayOnlyAccessLayers("http", "flow", "data", "remote", "store", "catalog", "auth", "config", "json")
            .whereLayer("ops")
            .mayOnlyAccessLayers("http", "flow", "data", "remote", "store", "catalog", "auth", "config", "json")
            .whereLayer("replication")
            .mayOnlyAccessLayers("http", "flow", "data", "remote", "store", "catalog", "auth", "config", "json")
            .whereLayer("http").mayOnlyAccessLayers("auth", "json")
            .whereLayer("flow").mayOnlyAccessLayers("data", "remote", "store", "catalog", "auth", "config", "json")
            .whereLayer("data").mayOnlyAccessLayers("store", "catalog", "config", "json")
            .whereLayer("remote").mayOnlyAccessLayers("catalog", "auth", "config", "json")
            .whereLayer("store").mayOnlyAccessLayers("catalog", "auth", "config", "json")
            .whereLayer("catalog").mayOnlyAccessLayers("config", "json")
            .whereLayer("auth").mayOnlyAccessLayers("config", "json")
            .whereLayer("config").mayNotAccessAnyLayer()
            .whereLayer("json").mayNotAccessAnyLayer();

    static final ArchRule ONLY_APP_USES_APP = noClasses().that().resideOutsideOfPackage("org.ferry.app..")
            .should().dependOnClassesThat().resideInAPackage("org.ferry.app..")
            .because("app assembles Ferry from FerryConfig; lower packages get small settings records of what they use");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("org.ferry.(*)..").should().beFreeOfCycles();

    /** replication's own parts (api, run, clients, config) do not depend on each other in a circle either. */
    static final ArchRule NO_REPLICATION_CYCLES = slices().matching("org.ferry.replication.(*)..").should()
            .beFreeOfCycles();

    @ArchTest
    void layersPointOneWay(JavaClasses classes) {
        LAYERS.check(classes);
    }

    @ArchTest
    void onlyAppUsesApp(JavaClasses classes) {
        ONLY_APP_USES_APP.check(classes);
    }

    @ArchTest
    void noPackageCycles(JavaClasses classes) {
        NO_PACKAGE_CYCLES.check(classes);
    }

    @ArchTest
    void noCyclesInsideReplication(JavaClasses classes) {
        NO_REPLICATION_CYCLES.check(classes);
    }
}
