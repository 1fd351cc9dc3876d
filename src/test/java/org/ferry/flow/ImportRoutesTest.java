package org.ferry.flow;

import org.ferry.catalog.Task;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route files and the code agree: every import route uses the shared failure handling, and a task whose process
 * died is restored as its route's first step would have restored it.
 */
class ImportRoutesTest {
    private static final Path ROUTES = Path.of("routes");
    private static final Pattern FIRST_BEAN = Pattern.compile("steps:\\s*\\n\\s*- bean: \\{ ref: (\\w+),");

    private static String route(String name) throws IOException {
        return Files.readString(ROUTES.resolve("import-" + name + ".camel.yaml"));
    }

    private static String firstStep(String route) {
        Matcher m = FIRST_BEAN.matcher(route);
        assertTrue(m.find(), route);
        return m.group(1);
    }

    private static Task task(String type) {
        return new Task("t", type, Task.PENDING, "p", "i", "r", "u", "{}", null, "", null, null, null);
    }

    private static ImportRequest request(ImportMethod m) {
        var req = FlowKit.JSON.createObjectNode();
        req.putObject("method").put("name", m.wireName());
        return ImportRequest.of(req);
    }

    @Test
    void eachImportMethodsRouteStartsWithTheRestoreADeadTaskGets() throws IOException {
        for (ImportMethod m : ImportMethod.values()) {
            if (m == ImportMethod.LOCATION_IMPORT) {
                continue; // its revert is addLocation's; see locationImportHasNoRestoreStep
            }
            String expected = ImportFlow.outcomeOf(task("api_image_import"), request(m)).stepName();
            assertEquals(expected, firstStep(route(m.wireName())), m.wireName());
        }
        assertEquals(RestoreImageOnFailure.Outcome.DELETED.stepName(), firstStep(route(ImportFlow.LEGACY_ROUTE)));
        assertEquals(RestoreImageOnFailure.Outcome.DELETED,
                ImportFlow.outcomeOf(task(ImportFlow.LEGACY_IMPORT), request(ImportMethod.WEB_DOWNLOAD)));
    }

    @Test
    void locationImportHasNoRestoreStep() throws IOException {
        assertEquals("lockImage", firstStep(Files.readString(ROUTES.resolve("location-import.camel.yaml"))));
    }

    @Test
    void everyImportRouteUsesTheSharedFailureHandling() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROUTES)) {
            s.filter(p -> p.getFileName().toString().matches("(import-.*|location-import)\\.camel\\.yaml")).forEach(files::add);
        }
        int routes = 0;
        for (Path p : files) {
            String name = p.getFileName().toString();
            String text = Files.readString(p);
            assertFalse(text.contains("doTry"), name + " catches its own failures");
            if (name.equals("import-task.camel.yaml") || name.equals("import-failure.camel.yaml")) {
                continue;
            }
            assertTrue(text.contains("routeConfigurationId: import-failure"), name);
            routes++;
        }
        assertEquals(ImportMethod.values().length + 1, routes, "one route per method, and the legacy task's");
        assertTrue(Files.readString(ROUTES.resolve("import-failure.camel.yaml"))
                .contains("- bean: { ref: importFlow, method: revert }"));
    }
}
