package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * python-glanceclient's Python API under {@code /usr/bin/python3} drives Ferry (RegionThree, real Keystone), found
 * through the token's catalog: {@code src/test/resources/interop/glanceclient_scenario.py}. Each step of the
 * scenario is one test here.
 */
@Tag("interop")
class GlanceclientApiInteropTest {
    static final Path SCRIPT = Lab.ROOT.resolve("src/test/resources/interop/glanceclient_scenario.py");
    static final List<String> STEPS = List.of("endpoint-from-catalog", "create", "upload", "download-verified",
            "stage-glance-direct", "glance-download", "image-tasks", "stores-info-member", "stores-info-admin",
            "stores-info-detail-admin", "stores-info-detail-member", "copy-image-member-forbidden",
            "copy-image-admin", "download-after-copy", "delete");

    @TempDir
    static Path work;
    static TestFerry ferry;
    static JsonNode report;
    static String output;

    @BeforeAll
    static void runScenario() throws Exception {
        Lab lab = Lab.get();
        if (!Files.isExecutable(Lab.PYTHON)) {
            fail(Lab.PYTHON + " is missing (the lab's packages need it)");
        }
        ferry = lab.startFerry(work.resolve("ferry"));
        Path reportFile = work.resolve("report.json");
        Lab.Exec run = Lab.Exec.run(Duration.ofMinutes(10), work, Map.of(
                        "OS_AUTH_URL", lab.keystoneUrl() + "/v3", "FERRY_LAB_PASSWORD", lab.password(),
                        "FERRY_REGION", "RegionThree", "FERRY_URL", lab.ferryUrl(), "GLANCE_REGION", "RegionOne"),
                Lab.PYTHON.toString(), SCRIPT.toString(), reportFile.toString());
        output = run.output();
        System.out.println(output);
        if (!Files.exists(reportFile)) {
            fail("the glanceclient scenario wrote no report (exit " + run.exitCode() + "):\n" + output);
        }
        report = Lab.JSON.readTree(reportFile.toFile());
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> glanceclientScenario() {
        return STEPS.stream().map(step -> DynamicTest.dynamicTest(step, () -> {
            assertTrue(report.has(step), "step " + step + " did not run; output:\n" + output);
            assertEquals("ok", report.path(step).asText(), "glanceclient step " + step);
        }));
    }
}
