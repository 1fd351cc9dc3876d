package org.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prometheus metrics: what they count, and who may read them where. */
class MetricsTest {
    private static final String MEMBER = "member,reader";
    private static final String FILE = "route=\"/v2/images/{id}/file\"";

    /** The value of one sample, {@code name{labels}} with labels in the order of the scrape; 0 if absent. */
    static double sample(String scrape, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static void assertHas(String scrape, String nameAndLabels) {
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + "[ {]").matcher(scrape).find(),
                "no " + nameAndLabels + " in\n" + scrape);
    }

    static byte[] random(int n) {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        return data;
    }

    static String create(TestFerry f) {
        TestResponse r = f.postJson("/v2/images", "{\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    static JsonNode awaitTask(TestFerry f, String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode ts = f.get("/v2/images/" + id + "/tasks").json().get("tasks");
            return !ts.isEmpty() && !List.of("pending", "processing").contains(ts.get(0).get("status").asText());
        });
        return f.get("/v2/images/" + id + "/tasks").json().get("tasks").get(0);
    }

    static String webDownload(String uri) {
        return "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + uri + "\"}}";
    }

    /** No Keystone; /metrics on the API port, for admins. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnTheApiPort {
        Path dir;
        TestFerry ferry;
        WireMockServer web;

        @BeforeAll
        void start(@TempDir Path dir) {
            this.dir = dir;
            web = TestFerry.wiremock();
            ferry = TestFerry.start(dir, TestFerry.anyPortConfig(dir));
        }

        @AfterAll
        void stop() {
            ferry.close();
            web.stop();
        }

        String scrape() {
            TestResponse r = ferry.get("/metrics");
            assertEquals(200, r.status(), r.text());
            assertTrue(r.header("Content-Type").startsWith("text/plain; version=0.0.4"), r.header("Content-Type"));
            return r.text();
        }

        @Test
        void uploadsDownloadsAndRequestsAreCountedByRouteTemplate() {
            String before = scrape();
            byte[] data = random(100_000);
            String id = create(ferry);
            assertEquals(204, ferry.putData("/v2/images/" + id + "/file", data).status());
            assertEquals(200, ferry.get("/v2/images/" + id + "/file").status());
            assertEquals(206, ferry.get("/v2/images/" + id + "/file", "Range", "bytes=0-999").status());
            assertEquals(404, ferry.get("/v2/images/" + java.util.UUID.randomUUID()).status());
            String after = scrape();

            String put = "ferry_http_requests_seconds_count{method=\"PUT\"," + FILE + ",status=\"204\"}";
            assertEquals(1, sample(after, put) - sample(before, put), after);
            String range = "ferry_http_requests_seconds_count{method=\"GET\"," + FILE + ",status=\"206\"}";
            assertEquals(1, sample(after, range) - sample(before, range), after);
            String notFound = "ferry_http_requests_seconds_count{method=\"GET\",route=\"/v2/images/{id}\",status=\"404\"}";
            assertEquals(1, sample(after, notFound) - sample(before, notFound), after);
            // a duration histogram with buckets
            assertHas(after, "ferry_http_requests_seconds_bucket{method=\"PUT\"," + FILE + ",status=\"204\",le=\"0.1\"}");
            // image data: the whole upload in, the whole download and the range out
            String in = "ferry_image_data_received_bytes_total{" + FILE + "}";
            assertEquals(100_000, sample(after, in) - sample(before, in), after);
            String out = "ferry_image_data_sent_bytes_total{" + FILE + "}";
            assertEquals(101_000, sample(after, out) - sample(before, out), after);
            // labels are templates: no image id ever becomes a label value
            assertFalse(after.contains(id), after);
        }

        @Test
        void importsAreCountedByMethodAndOutcomeWithTheirBytes() {
            String before = scrape();
            // glance-direct: stage, then import
            byte[] staged = random(70_000);
            String direct = create(ferry);
            assertEquals(204, ferry.putData("/v2/images/" + direct + "/stage", staged).status());
            assertEquals(202, ferry.postJson("/v2/images/" + direct + "/import",
                    "{\"method\":{\"name\":\"glance-direct\"}}").status());
            assertEquals("success", awaitTask(ferry, direct).get("status").asText());
            // web-download that takes a while: in progress meanwhile, then a success
            byte[] remote = random(50_000);
            web.stubFor(get(urlPathEqualTo("/slow.raw")).willReturn(aResponse().withBody(remote)
                    .withChunkedDribbleDelay(5, 3000)));
            String slow = create(ferry);
            assertEquals(202, ferry.postJson("/v2/images/" + slow + "/import",
                    webDownload("http://127.0.0.1:" + web.port() + "/slow.raw")).status());
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    sample(scrape(), "ferry_imports_in_progress{method=\"web-download\"}") == 1);
            assertEquals("success", awaitTask(ferry, slow).get("status").asText());
            // web-download of a missing file: a failure
            web.stubFor(get(urlPathEqualTo("/missing.raw")).willReturn(aResponse().withStatus(404)));
            String missing = create(ferry);
            assertEquals(202, ferry.postJson("/v2/images/" + missing + "/import",
                    webDownload("http://127.0.0.1:" + web.port() + "/missing.raw")).status());
            assertEquals("failure", awaitTask(ferry, missing).get("status").asText());

            // the task is marked finished inside the run: its completion is reported just after
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String s = scrape();
                return sample(s, "ferry_imports_seconds_count{method=\"web-download\",outcome=\"failure\"}")
                        > sample(before, "ferry_imports_seconds_count{method=\"web-download\",outcome=\"failure\"}");
            });
            String after = scrape();
            for (String[] c : new String[][] {{"glance-direct", "success"}, {"web-download", "success"},
                    {"web-download", "failure"}}) {
                String labels = "{method=\"" + c[0] + "\",outcome=\"" + c[1] + "\"}";
                assertEquals(1, sample(after, "ferry_imports_seconds_count" + labels)
                        - sample(before, "ferry_imports_seconds_count" + labels), labels + "\n" + after);
            }
            assertHas(after, "ferry_imports_seconds_bucket{method=\"glance-direct\",outcome=\"success\",le=\"60.0\"}");
            String directBytes = "ferry_import_data_bytes_total{method=\"glance-direct\",outcome=\"success\"}";
            assertEquals(70_000, sample(after, directBytes) - sample(before, directBytes), after);
            String webBytes = "ferry_import_data_bytes_total{method=\"web-download\",outcome=\"success\"}";
            assertEquals(50_000, sample(after, webBytes) - sample(before, webBytes), after);
            String stagedIn = "ferry_image_data_received_bytes_total{route=\"/v2/images/{id}/stage\"}";
            assertEquals(70_000, sample(after, stagedIn) - sample(before, stagedIn), after);
            assertEquals(0, sample(after, "ferry_imports_in_progress{method=\"web-download\"}"), after);
            assertEquals(0, sample(after, "ferry_imports_in_progress{method=\"glance-direct\"}"), after);
            // Camel's own route metrics
            assertTrue(sample(after, "camel_exchanges_total{camelContext=\"ferry\",eventType=\"route\","
                    + "kind=\"CamelRoute\",routeId=\"import-glance-direct\"}") >= 1, after);
            assertHas(after, "camel_route_policy_seconds_count");
        }

        @Test
        void storeErrorsAreCountedByStoreAndOperation() throws IOException {
            String before = scrape();
            // the cheap store's directory turns into a file: writes to it fail
            Files.delete(dir.resolve("cheap"));
            Files.writeString(dir.resolve("cheap"), "not a directory");
            String id = create(ferry);
            TestResponse r = ferry.putData("/v2/images/" + id + "/file", random(1000), "X-Image-Meta-Store", "cheap");
            assertEquals(500, r.status(), r.text());
            String after = scrape();
            String write = "ferry_store_errors_total{operation=\"write\",store=\"cheap\"}";
            assertEquals(1, sample(after, write) - sample(before, write), after);
            assertEquals(0, sample(after, "ferry_store_errors_total{operation=\"write\",store=\"fast\"}"), after);
        }

        @Test
        void jvmAndProcessMetricsAreThere() {
            String s = scrape();
            for (String name : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
                    "process_uptime_seconds", "process_start_time_seconds", "jvm_info")) {
                assertHas(s, name);
            }
        }

        @Test
        void onlyAdminsMayRead() {
            TestResponse r = ferry.get("/metrics", "X-Roles", MEMBER, "X-Project-Id", "p1", "Accept", "application/json");
            assertEquals(403, r.status(), r.text());
            assertFalse(r.text().contains("ferry_"), r.text());
        }
    }

    /** With Keystone: no token is 401, a member's token 403, an admin's 200. */
    @Nested
    class WithKeystone {
        @RegisterExtension
        static final TestFerry ferry = TestFerry.perClass().behind(KeystoneStub.memberAndAdmin());

        @Test
        void adminOnly() {
            TestResponse none = ferry.get("/metrics");
            assertEquals(401, none.status(), none.text());
            assertTrue(none.header("WWW-Authenticate").startsWith("Keystone uri="), String.valueOf(none.headers()));
            assertEquals(403, ferry.get("/metrics", "X-Auth-Token", "member-token").status());
            TestResponse admin = ferry.get("/metrics", "X-Auth-Token", "admin-token");
            assertEquals(200, admin.status(), admin.text());
            assertHas(admin.text(), "ferry_http_requests_seconds_count");
            assertFalse(ferry.ferry().metricsPort().isPresent());
        }
    }

    /** [metrics] bind_port: a listener of its own, without authentication; the API port no longer serves them. */
    @Nested
    class OnItsOwnPort {
        @RegisterExtension
        static final TestFerry ferry = TestFerry.perClass(c ->
                TestFerry.section(c, "metrics").putAll(Map.of("bind_host", "127.0.0.1", "bind_port", "0")))
                .behind(new KeystoneStub()
                        .token("admin-token", "admin-user", "admin-project", List.of("admin", "member", "reader")));

        TestResponse metricsPort(String method, String path) {
            return ferry.callPort(ferry.ferry().metricsPort().orElseThrow(), method, path, null, null);
        }

        @Test
        void servedWithoutAuthenticationOnTheirOwnPort() {
            assertTrue(ferry.ferry().metricsPort().orElseThrow() != ferry.ferry().port());
            assertEquals(200, ferry.get("/healthcheck").status());
            TestResponse r = metricsPort("GET", "/metrics");
            assertEquals(200, r.status(), r.text());
            assertTrue(r.header("Content-Type").startsWith("text/plain; version=0.0.4"), r.header("Content-Type"));
            assertHas(r.text(), "ferry_http_requests_seconds_count{method=\"GET\",route=\"/healthcheck\",status=\"200\"}");
            assertHas(r.text(), "jvm_memory_used_bytes");
            assertEquals(404, metricsPort("GET", "/v2/images").status());
            assertEquals(405, metricsPort("DELETE", "/metrics").status());
        }

        @Test
        void theApiPortNoLongerServesThem() {
            assertEquals(404, ferry.get("/metrics", "X-Auth-Token", "admin-token").status());
        }
    }
}
