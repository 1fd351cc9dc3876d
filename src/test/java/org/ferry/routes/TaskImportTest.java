package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.ferry.testing.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertNoTraces;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.staging;
import static org.ferry.routes.RouteKit.storeDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /v2/tasks with the legacy {@code import} type runs as a web-download import of the image it creates: data
 * streamed, hashed and committed to the default store; a failure leaves no image and no data; [import_filtering_opts]
 * applies to {@code import_from} at the API and to every redirect in the task (Glance's SSRF fix).
 */
class TaskImportTest {
    @RegisterExtension
    static final WebServer web = WebServer.started();
    @RegisterExtension
    static final ResetServer resets = ResetServer.started();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c -> {
        Map<String, String> filtering = TestFerry.section(c, "import_filtering_opts");
        filtering.put("disallowed_ports", "[25, 6666]");
        filtering.put("disallowed_hosts", "[localhost]");
        filtering.put("allowed_schemes", "[]");
        filtering.put("disallowed_schemes", "[https]");
    }).anyPort();
    static final String base = "http://127.0.0.1:" + web.port();

    static String importTask(String uri, String imageProperties) {
        return "{\"type\": \"import\", \"input\": {\"import_from\": \"" + uri + "\", \"import_from_format\": \"raw\", "
                + "\"image_properties\": " + imageProperties + "}}";
    }

    /** POSTs the task, requires 201 and Glance's view of a new task; returns it. */
    static JsonNode created(String body) {
        var r = ferry.postJson("/v2/tasks", body);
        assertEquals(201, r.status(), r.text());
        JsonNode t = r.json();
        assertEquals(ferry.url() + "/v2/tasks/" + t.get("id").asText(), r.header("Location"));
        assertEquals("import", t.get("type").asText());
        assertEquals("pending", t.get("status").asText(), t.toString());
        assertEquals("", t.get("message").asText());
        assertTrue(t.get("result").isNull());
        assertEquals(r.header("x-openstack-request-id"), t.get("request_id").asText());
        assertEquals(Json.tree(body).get("input"), t.get("input"), "the input is kept as sent");
        return t;
    }

    /** Waits for the task to end; returns it. */
    static JsonNode awaitEnd(String taskId) {
        JsonNode[] t = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            t[0] = ferry.get("/v2/tasks/" + taskId).json();
            return List.of("success", "failure").contains(t[0].get("status").asText());
        });
        return t[0];
    }

    /** A failed task: its message says why, its image is gone and no byte of it is left anywhere. */
    static String failedAndGone(JsonNode task) {
        JsonNode end = awaitEnd(task.get("id").asText());
        assertEquals("failure", end.get("status").asText(), end.toString());
        String m = end.get("message").asText();
        assertFalse(m.isBlank() || m.contains("Internal Error"), m);
        assertTrue(end.get("result").isNull(), end.toString());
        assertTrue(end.has("expires_at"), end.toString());
        String image = task.get("image_id").asText();
        assertEquals(404, ferry.get("/v2/images/" + image).status(), "the failed task's image is left");
        assertNoTraces(staging(ferry), image);
        assertNoTraces(storeDir(ferry, "fast"), image);
        return m;
    }

    @Test
    void anImportTaskCreatesTheImageAndImportsItsData() {
        byte[] data = random(1_700_000);
        web.stubFor(get(urlPathEqualTo("/moved")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "/images/task.raw")));
        web.stubFor(get(urlPathEqualTo("/images/task.raw")).willReturn(aResponse().withBody(data)));
        JsonNode task = created(importTask(base + "/moved", "{\"name\": \"from-task\", \"disk_format\": \"raw\", "
                + "\"container_format\": \"bare\", \"visibility\": \"private\", \"hw_disk_bus\": \"scsi\", "
                + "\"tags\": [\"legacy\"]}"));
        String image = task.get("image_id").asText();

        JsonNode end = awaitEnd(task.get("id").asText());
        assertEquals("success", end.get("status").asText(), end.toString());
        assertEquals("{\"image_id\":\"" + image + "\"}", end.get("result").toString());
        assertEquals("Copied 1 MiB", end.get("message").asText());
        JsonNode img = show(ferry, image);
        assertActive(img, data, "fast");
        assertEquals("from-task", img.get("name").asText());
        assertEquals("raw", img.get("disk_format").asText());
        assertEquals("private", img.get("visibility").asText());
        assertEquals("scsi", img.get("hw_disk_bus").asText());
        assertEquals("[\"legacy\"]", img.get("tags").toString());
        assertEquals(end.get("owner").asText(), img.get("owner").asText());
        RouteKit.assertStagingClean(ferry, image);
        assertArrayEquals(data, ferry.get("/v2/images/" + image + "/file").body());
        // the task is the image's task too
        assertEquals(task.get("id").asText(), ferry.get("/v2/images/" + image + "/tasks").json()
                .at("/tasks/0/id").asText());
    }

    @Test
    void withoutImagePropertiesTheImageGetsGlancesDefaultFormats() {
        byte[] data = random(1000);
        web.stubFor(get(urlPathEqualTo("/images/bare.qcow2")).willReturn(aResponse().withBody(data)));
        JsonNode task = created(importTask(base + "/images/bare.qcow2", "{}"));
        assertEquals("success", awaitEnd(task.get("id").asText()).get("status").asText());
        JsonNode img = show(ferry, task.get("image_id").asText());
        assertEquals("qcow2", img.get("disk_format").asText());
        assertEquals("bare", img.get("container_format").asText());
    }

    @Test
    void aMissingUrlFailsTheTaskAndRemovesTheImage() {
        web.stubFor(get(urlPathEqualTo("/gone")).willReturn(aResponse().withStatus(404)));
        JsonNode task = created(importTask(base + "/gone", "{\"disk_format\": \"raw\", \"container_format\": \"bare\"}"));
        assertTrue(failedAndGone(task).endsWith("/gone answered 404"));
    }

    @Test
    void aBrokenTransferLeavesNothingHalfWritten() {
        byte[] data = random(500_000);
        resets.declared = data.length;
        resets.part = Arrays.copyOf(data, 200_000);
        JsonNode task = created(importTask("http://127.0.0.1:" + resets.port() + "/a/file",
                "{\"disk_format\": \"raw\", \"container_format\": \"bare\"}"));
        assertTrue(failedAndGone(task).contains("failed after"));
        assertEquals(List.of(), RouteKit.files(staging(ferry)).stream().filter(n -> n.endsWith(".part")).toList());
    }

    @Test
    void aRedirectThatFailsFilteringFailsTheTaskBeforeItIsFollowed() {
        web.stubFor(get(urlPathEqualTo("/to-smtp")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:25/x")));
        web.stubFor(get(urlPathEqualTo("/to-localhost")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "http://localhost:" + web.port() + "/secret")));
        web.stubFor(get(urlPathEqualTo("/to-https")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", "https://127.0.0.1:" + web.port() + "/secret")));
        web.stubFor(get(urlPathEqualTo("/secret")).willReturn(aResponse().withBody(random(10))));
        String formats = "{\"disk_format\": \"raw\", \"container_format\": \"bare\"}";

        String port = failedAndGone(created(importTask(base + "/to-smtp", formats)));
        assertTrue(port.contains("does not pass filtering") && port.contains("port 25"), port);
        String host = failedAndGone(created(importTask(base + "/to-localhost", formats)));
        assertTrue(host.contains("does not pass filtering") && host.contains("host 'localhost'"), host);
        String scheme = failedAndGone(created(importTask(base + "/to-https", formats)));
        assertTrue(scheme.contains("does not pass filtering") && scheme.contains("scheme 'https'"), scheme);
        web.verify(0, getRequestedFor(urlPathEqualTo("/secret")));
    }

    @Test
    void importFromThatFailsFilteringIsRefusedAtTheApi() {
        int tasksBefore = ferry.get("/v2/tasks?limit=1000").json().get("tasks").size();
        int imagesBefore = ferry.get("/v2/images?limit=1000").json().get("images").size();
        for (String uri : List.of("http://127.0.0.1:25/x", "http://localhost:" + web.port() + "/secret",
                "https://127.0.0.1:" + web.port() + "/secret", "http://2130706433/x", "http://127.1/x",
                "http://no-such-host.invalid/x")) {
            var r = ferry.postJson("/v2/tasks", importTask(uri, "{}"), "Accept", "application/json");
            assertEquals(400, r.status(), uri + ": " + r.text());
            assertTrue(r.json().get("message").asText().startsWith(
                    "URI for legacy import task does not pass filtering: " + uri), r.text());
        }
        assertEquals(tasksBefore, ferry.get("/v2/tasks?limit=1000").json().get("tasks").size());
        assertEquals(imagesBefore, ferry.get("/v2/images?limit=1000").json().get("images").size());
        web.verify(0, getRequestedFor(urlPathEqualTo("/secret")));
    }

    /** JSON of a test's own request body. */
    static final class Json {
        static JsonNode tree(String s) {
            try {
                return RouteKit.JSON.readTree(s);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
