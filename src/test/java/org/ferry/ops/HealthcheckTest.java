package org.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /healthcheck as oslo.middleware's healthcheck answers in Glance, and Ferry's detailed answer for admins. */
class HealthcheckTest {
    private static final String JSON = "application/json";
    private static final String MEMBER = "member,reader";

    private static void assertSimpleOk(TestResponse r) {
        assertEquals(200, r.status(), r.text());
        assertEquals("OK", r.text());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
    }

    private static List<String> checkNames(JsonNode detailed) {
        List<String> names = new ArrayList<>();
        detailed.get("reasons").forEach(c -> names.add(c.get("check").asText()));
        return names;
    }

    private static JsonNode check(JsonNode detailed, String name) {
        for (JsonNode c : detailed.get("reasons")) {
            if (c.get("check").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + detailed);
    }

    /** No Keystone: the default caller is an admin, X-Roles makes a non-admin. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class NoAuth {
        Path dir;
        TestFerry ferry;
        Path maintenance;

        @BeforeAll
        void start(@TempDir Path dir) {
            this.dir = dir;
            maintenance = dir.resolve("healthcheck_disable");
            Map<String, Map<String, String>> c = TestFerry.defaults(dir);
            TestFerry.section(c, "healthcheck").put("disable_by_file_path", maintenance.toString());
            ferry = TestFerry.start(dir, c);
        }

        @AfterAll
        void stop() {
            ferry.close();
        }

        @Test
        void getIs200OkAsPlainText() {
            assertSimpleOk(ferry.get("/healthcheck"));
            assertSimpleOk(ferry.get("/healthcheck", "Accept", "*/*"));
            // not the versions document, whatever the caller
            assertSimpleOk(ferry.get("/healthcheck", "X-Roles", MEMBER, "X-Project-Id", "p1"));
        }

        @Test
        void headIs204WithoutBody() {
            TestResponse r = ferry.call("HEAD", "/healthcheck", null, null);
            assertEquals(204, r.status());
            assertEquals(0, r.body().length);
        }

        @Test
        void theDisableFileAnswers503UntilItIsRemoved() throws IOException {
            Files.writeString(maintenance, "");
            try {
                TestResponse r = ferry.get("/healthcheck");
                assertEquals(503, r.status(), r.text());
                assertEquals("DISABLED BY FILE", r.text());
                assertEquals(503, ferry.call("HEAD", "/healthcheck", null, null).status());
                TestResponse json = ferry.get("/healthcheck", "Accept", JSON, "X-Roles", MEMBER);
                assertEquals(503, json.status(), json.text());
                assertEquals("DISABLED BY FILE", json.json().get("reasons").get(0).asText());
            } finally {
                Files.delete(maintenance);
            }
            assertSimpleOk(ferry.get("/healthcheck"));
        }

        @Test
        void anAdminAskingForJsonGetsEveryCheck() {
            TestResponse r = ferry.get("/healthcheck", "Accept", JSON);
            assertEquals(200, r.status(), r.text());
            assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
            JsonNode body = r.json();
            assertTrue(body.get("detailed").asBoolean(), r.text());
            assertTrue(body.get("healthy").asBoolean(), r.text());
            assertEquals(List.of("disable_by_file", "database", "store fast", "store cheap",
                    "store os_glance_staging_store", "import_scheduler"), checkNames(body));
            for (JsonNode c : body.get("reasons")) {
                assertTrue(c.get("available").asBoolean(), c.toString());
                assertEquals("OK", c.get("reason").asText(), c.toString());
            }
            assertTrue(check(body, "disable_by_file").get("details").asText().contains("was not found"), r.text());
            assertTrue(check(body, "store fast").get("details").asText().contains("probe"), r.text());
            // the probe leaves nothing behind in the store
            try (var files = Files.list(dir.resolve("fast"))) {
                assertEquals(0, files.filter(p -> p.getFileName().toString().contains("healthcheck")).count());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Test
        void aNonAdminAskingForJsonGetsOnlyTheSimpleAnswer() {
            TestResponse r = ferry.get("/healthcheck", "Accept", JSON, "X-Roles", MEMBER, "X-Project-Id", "p1");
            assertEquals(200, r.status(), r.text());
            JsonNode body = r.json();
            assertFalse(body.get("detailed").asBoolean(), r.text());
            assertEquals("[\"OK\"]", body.get("reasons").toString());
            assertFalse(r.text().contains("store") || r.text().contains("database"), r.text());
        }
    }

    /** A store that cannot be written: the detailed answer says which and why, the simple one only that. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class FailingStore {
        Path dir;
        TestFerry ferry;

        @BeforeAll
        void start(@TempDir Path dir) throws IOException {
            this.dir = dir;
            Map<String, Map<String, String>> c = TestFerry.defaults(dir);
            TestFerry.section(c, "healthcheck").put("backends", "disable_by_file, stores");
            ferry = TestFerry.start(dir, c);
            // the store's directory turns into a file: nothing can be written there any more
            Files.delete(dir.resolve("cheap"));
            Files.writeString(dir.resolve("cheap"), "not a directory");
        }

        @AfterAll
        void stop() {
            ferry.close();
        }

        @Test
        void detailedAnswerIs503NamingTheStore() {
            TestResponse r = ferry.get("/healthcheck", "Accept", JSON);
            assertEquals(503, r.status(), r.text());
            JsonNode body = r.json();
            assertFalse(body.get("healthy").asBoolean(), r.text());
            JsonNode cheap = check(body, "store cheap");
            assertFalse(cheap.get("available").asBoolean(), r.text());
            assertEquals("STORE UNAVAILABLE", cheap.get("reason").asText());
            assertTrue(cheap.get("details").asText().contains(dir.resolve("cheap").toString()), r.text());
            assertTrue(check(body, "store fast").get("available").asBoolean(), r.text());
            assertTrue(check(body, "database").get("available").asBoolean(), r.text());
        }

        @Test
        void simpleAnswerIs503WithTheReasonOnly() {
            TestResponse r = ferry.get("/healthcheck", "X-Roles", MEMBER);
            assertEquals(503, r.status(), r.text());
            assertEquals("STORE UNAVAILABLE", r.text());
            assertEquals(503, ferry.call("HEAD", "/healthcheck", null, null).status());
            TestResponse json = ferry.get("/healthcheck", "Accept", JSON, "X-Roles", MEMBER);
            assertEquals(503, json.status());
            assertFalse(json.text().contains("cheap") || json.text().contains(dir.toString()), json.text());
        }
    }

    /** A replication job with a schedule: its scheduler is one of the checks. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithScheduledReplication {
        TestFerry ferry;

        @BeforeAll
        void start(@TempDir Path dir) {
            Map<String, Map<String, String>> c = TestFerry.defaults(dir);
            TestFerry.section(c, "glance_download_regions").put("RegionTwo", "http://127.0.0.1:9");
            TestFerry.section(c, "replication").put("jobs", "yearly");
            TestFerry.section(c, "replication:yearly").putAll(Map.of("source_regions", "RegionTwo",
                    "schedule", "0 0 3 1 1 ?"));
            ferry = TestFerry.start(dir, c);
        }

        @AfterAll
        void stop() {
            ferry.close();
        }

        @Test
        void theReplicationSchedulerIsChecked() {
            TestResponse r = ferry.get("/healthcheck", "Accept", JSON);
            assertEquals(200, r.status(), r.text());
            JsonNode replication = check(r.json(), "replication_scheduler");
            assertTrue(replication.get("available").asBoolean(), r.text());
            assertEquals("1 scheduled job(s)", replication.get("details").asText(), r.text());
            assertTrue(check(r.json(), "import_scheduler").get("available").asBoolean(), r.text());
        }
    }

    /** With Keystone: no token is needed, and only an admin token unlocks the details. */
    @Nested
    class WithKeystone {
        @RegisterExtension
        static final TestFerry ferry = TestFerry.perClass().behind(KeystoneStub.memberAndAdmin());

        @Test
        void noTokenNeeded() {
            assertSimpleOk(ferry.get("/healthcheck"));
            assertEquals(204, ferry.call("HEAD", "/healthcheck", null, null).status());
            assertEquals(401, ferry.get("/v2/images").status());
        }

        @Test
        void onlyAnAdminTokenGetsDetails() {
            for (String[] h : new String[][] {{"Accept", JSON}, {"Accept", JSON, "X-Auth-Token", "member-token"},
                    {"Accept", JSON, "X-Auth-Token", "not-a-token"}}) {
                TestResponse r = ferry.get("/healthcheck", h);
                assertEquals(200, r.status(), r.text());
                assertFalse(r.json().get("detailed").asBoolean(), List.of(h) + ": " + r.text());
            }
            TestResponse r = ferry.get("/healthcheck", "Accept", JSON, "X-Auth-Token", "admin-token");
            assertEquals(200, r.status(), r.text());
            assertTrue(r.json().get("detailed").asBoolean(), r.text());
            assertTrue(checkNames(r.json()).contains("database"), r.text());
            // plain text stays the simple answer even for an admin (load balancers send tokens rarely, Accept often)
            assertSimpleOk(ferry.get("/healthcheck", "X-Auth-Token", "admin-token"));
        }
    }
}
