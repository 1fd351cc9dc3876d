package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.concat;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.sha512;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared steps of the import route tests: images, imports, tasks, staging, and a WireMock remote Glance. */
final class RouteKit {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String IMPORTING = "os_glance_importing_to_stores";
    static final String FAILED = "os_glance_failed_import";
    static final String LOCK = "os_glance_import_task";

    private RouteKit() {
    }

    /** Creates an image from a JSON body; returns its id. */
    static String create(TestFerry f, String json, String... headers) {
        var r = f.postJson("/v2/images", json, concat(headers, "Accept", "application/json"));
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    static String create(TestFerry f, String... headers) {
        return create(f, "{\"disk_format\":\"raw\",\"container_format\":\"bare\",\"hw_disk_bus\":\"ide\"}", headers);
    }

    /** Creates an image and uploads data into the default store. */
    static String uploaded(TestFerry f, byte[] data, String... headers) {
        String id = create(f, headers);
        var r = f.putData("/v2/images/" + id + "/file", data, headers);
        assertEquals(204, r.status(), r.text());
        return id;
    }

    static JsonNode show(TestFerry f, String id, String... headers) {
        var r = f.get("/v2/images/" + id, concat(headers, "Accept", "application/json"));
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    static TestFerry.TestResponse importImage(TestFerry f, String id, String body, String... headers) {
        return f.postJson("/v2/images/" + id + "/import", body, headers);
    }

    /** Starts an import and requires 202. */
    static TestFerry.TestResponse accepted(TestFerry f, String id, String body, String... headers) {
        var r = importImage(f, id, body, headers);
        assertEquals(202, r.status(), r.text());
        return r;
    }

    static JsonNode tasks(TestFerry f, String id, String... headers) {
        var r = f.get("/v2/images/" + id + "/tasks", headers);
        assertEquals(200, r.status(), r.text());
        return r.json().get("tasks");
    }

    /** Waits until no task of the image is pending or processing; returns the newest one. */
    static JsonNode awaitTasks(TestFerry f, String id, String... headers) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode ts = tasks(f, id, headers);
            if (ts.isEmpty()) {
                return false;
            }
            for (JsonNode t : ts) {
                String s = t.get("status").asText();
                if (s.equals("pending") || s.equals("processing")) {
                    return false;
                }
            }
            return true;
        });
        JsonNode ts = tasks(f, id, headers);
        return ts.get(ts.size() - 1);
    }

    /** Waits for the import's task to end and requires {@code status}; returns the task. */
    static JsonNode awaitTask(TestFerry f, String id, String status, String... headers) {
        JsonNode t = awaitTasks(f, id, headers);
        assertEquals(status, t.get("status").asText(), t.toString());
        return t;
    }

    /** A failed import's message must say why, never the opaque "Internal Error". */
    static String failure(TestFerry f, String id, String... headers) {
        JsonNode t = awaitTask(f, id, "failure", headers);
        String m = t.get("message").asText();
        assertFalse(m.isBlank(), t.toString());
        assertFalse(m.contains("Internal Error"), m);
        return m;
    }

    static Path staging(TestFerry f) {
        return f.dir().resolve("staging");
    }

    static Path storeDir(TestFerry f, String store) {
        return ImageFixtures.storeDir(f, store);
    }

    static List<String> files(Path dir) {
        return ImageFixtures.files(dir);
    }

    /** No staged file, sidecar or unfinished (hidden .part/.tmp) write of the image is left in {@code dir}. */
    static void assertNoTraces(Path dir, String id) {
        assertEquals(List.of(), ImageFixtures.traces(dir, id), "left in " + dir);
    }

    static void assertStagingClean(TestFerry f, String id) {
        assertNoTraces(staging(f), id);
    }

    /** What every failed download leaves: queued, no data, no lock, nothing importing, clean staging. */
    static JsonNode assertBackToQueued(TestFerry f, String id, String... headers) {
        JsonNode img = show(f, id, headers);
        assertEquals("queued", img.get("status").asText(), img.toString());
        assertFalse(img.has(LOCK), img.toString());
        assertEquals("", img.path(IMPORTING).asText(null), img.toString());
        assertFalse(img.has("stores"), img.toString());
        assertTrue(img.get("checksum").isNull() && img.get("size").isNull() && img.get("os_hash_value").isNull(),
                img.toString());
        assertStagingClean(f, id);
        return img;
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** The JSON of an active remote Glance image holding {@code data}, with qcow2/ovf formats. */
    static ObjectNode remoteImage(String id, byte[] data) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id).put("name", "remote-" + id).put("status", "active").put("visibility", "public")
                .put("disk_format", "qcow2").put("container_format", "ovf").put("size", data.length)
                .put("checksum", md5(data)).put("os_hash_algo", "sha512").put("os_hash_value", sha512(data))
                .put("min_disk", 0).put("min_ram", 0);
        return o;
    }

    static String glanceDownload(String region, String remoteId, String extra) {
        return "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"" + region + "\",\"glance_image_id\":\""
                + remoteId + "\"}" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static void assertActive(JsonNode img, byte[] data, String stores) {
        assertEquals("active", img.get("status").asText(), img.toString());
        assertEquals(data.length, img.get("size").asLong());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals("sha512", img.get("os_hash_algo").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals(stores, img.path("stores").asText(null), img.toString());
        assertFalse(img.has(LOCK), img.toString());
        assertEquals("", img.path(IMPORTING).asText(""), img.toString());
    }
}
