package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.testing.TestFerry;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.concat;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.sha512;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared steps of the replication tests: regions (Ferry and WireMock), images, runs, Keystone tokens. */
final class ReplicationKit {
    static final ObjectMapper JSON = new ObjectMapper();

    private ReplicationKit() {
    }

    /** Creates an image from {@code json} and uploads {@code data}; returns the id. */
    static String image(TestFerry f, String json, byte[] data, String... auth) {
        var r = f.postJson("/v2/images", json, concat(auth, "Accept", "application/json"));
        assertEquals(201, r.status(), r.text());
        String id = r.json().get("id").asText();
        var u = f.putData("/v2/images/" + id + "/file", data, auth);
        assertEquals(204, u.status(), u.text());
        return id;
    }

    static JsonNode show(TestFerry f, String id, String... auth) {
        var r = f.get("/v2/images/" + id, concat(auth, "Accept", "application/json"));
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    static int status(TestFerry f, String id, String... auth) {
        return f.get("/v2/images/" + id, auth).status();
    }

    static JsonNode tasks(TestFerry f, String id, String... auth) {
        var r = f.get("/v2/images/" + id + "/tasks", auth);
        assertEquals(200, r.status(), r.text());
        return r.json().get("tasks");
    }

    /** Starts a run through the operator API (202) and waits for it to end; returns the run's view. */
    static JsonNode runJob(TestFerry f, String job, String... auth) {
        var r = f.postJson("/ferry/replication/jobs/" + job + "/run", "", auth);
        assertEquals(202, r.status(), r.text());
        String runId = r.json().path("run").path("id").asText();
        return awaitRun(f, job, runId, auth);
    }

    static JsonNode awaitRun(TestFerry f, String job, String runId, String... auth) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                !"running".equals(run(f, job, runId, auth).path("status").asText()));
        return run(f, job, runId, auth);
    }

    static JsonNode run(TestFerry f, String job, String runId, String... auth) {
        var r = f.get("/ferry/replication/jobs/" + job + "/runs/" + runId, auth);
        assertEquals(200, r.status(), r.text());
        return r.json().get("run");
    }

    /** The per-image result of a run, by source image id. */
    static JsonNode result(JsonNode run, String imageId) {
        for (JsonNode i : run.path("image_results")) {
            if (i.path("image_id").asText().equals(imageId)) {
                return i;
            }
        }
        throw new AssertionError("no result for " + imageId + " in " + run);
    }

    /** The outcome of an image in a run so far, or null before the listing recorded it. */
    static String outcome(JsonNode run, String imageId) {
        for (JsonNode i : run.path("image_results")) {
            if (i.path("image_id").asText().equals(imageId)) {
                return i.path("status").asText();
            }
        }
        return null;
    }

    static int count(JsonNode run, String outcome) {
        return run.path("images").path(outcome).asInt();
    }

    /** A public, active Glance image view holding {@code data}. */
    static ObjectNode glanceImage(String id, String name, String visibility, byte[] data) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id).put("name", name).put("status", "active").put("visibility", visibility)
                .put("owner", "factory").put("protected", false).put("os_hidden", false)
                .put("disk_format", "raw").put("container_format", "bare").put("size", data.length)
                .putNull("virtual_size").put("checksum", md5(data)).put("os_hash_algo", "sha512")
                .put("os_hash_value", sha512(data)).put("min_disk", 1).put("min_ram", 128)
                .put("created_at", "2026-01-01T00:00:00Z").put("updated_at", "2026-01-01T00:00:00Z")
                .put("self", "/v2/images/" + id).put("file", "/v2/images/" + id + "/file")
                .put("schema", "/v2/schemas/image");
        o.putArray("tags").add("golden");
        o.put("os_distro", "debian").put("hw_disk_bus", "virtio");
        return o;
    }
}
