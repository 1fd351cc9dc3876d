package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.RequestBody;
import org.ferry.interop.Lab.RandomData;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With real Keystone tokens, alt_demo (another project, roles member and reader) gets nothing of demo's private
 * image, in Ferry or through Ferry: not in a list, not its record, data, tasks or stage, no import into it, and a
 * glance-download of it (from Ferry itself and from the real Glance) ends in a failed task.
 */
@Tag("interop")
class ProjectIsolationInteropTest {
    static final Duration TASK_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static String base;
    static String privateId;        // demo's private, active image in Ferry
    static String glancePrivateId;  // demo's private, active image in Glance RegionOne

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        ferry = lab.startFerry(work);
        base = ferry.url();
        Token demo = lab.demo();
        RandomData data = new RandomData(7, 3L * 1024 * 1024 + 7);
        privateId = lab.createImage(base, demo, Map.of("name", "demo-private", "disk_format", "raw",
                "container_format", "bare", "visibility", "private"));
        lab.call("PUT", base + "/v2/images/" + privateId + "/file", demo, data.body()).expect(204, "upload");
        assertEquals("active", lab.image(base, demo, privateId).path("status").asText());
        glancePrivateId = lab.createImage(lab.glanceOne(), demo, Map.of("name", "demo-private-glance",
                "disk_format", "raw", "container_format", "bare", "visibility", "private"));
        lab.call("PUT", lab.glanceOne() + "/v2/images/" + glancePrivateId + "/file", demo, data.body())
                .expect(204, "upload to Glance");
        lab.waitImage(lab.glanceOne(), demo, glancePrivateId, Duration.ofMinutes(2), "active",
                i -> i.path("status").asText().equals("active"));
    }

    @AfterAll
    static void stop() {
        if (lab != null && glancePrivateId != null) {
            lab.call("DELETE", lab.glanceOne() + "/v2/images/" + glancePrivateId, lab.demo(), null);
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void demoSeesItsOwnImage() {
        Token demo = lab.demo();
        assertEquals(200, lab.get(base + "/v2/images/" + privateId, demo).status());
        assertTrue(lab.get(base + "/v2/images", demo).body().contains(privateId));
    }

    @Test
    void altDemoCannotSeeIt() {
        Token alt = lab.altDemo();
        assertFalse(lab.demo().projectId().equals(alt.projectId()), "demo and alt_demo share a project");
        assertEquals(404, lab.get(base + "/v2/images/" + privateId, alt).status());
        for (String query : List.of("", "?visibility=private", "?visibility=all", "?owner=" + lab.demo().projectId(),
                "?name=demo-private")) {
            Lab.Resp list = lab.get(base + "/v2/images" + query, alt).expect(200, "list " + query);
            assertFalse(list.body().contains(privateId), "alt_demo lists demo's private image with '" + query + "'");
        }
        assertEquals(404, lab.get(base + "/v2/images/" + privateId + "/tasks", alt).status());
        assertEquals(404, lab.get(base + "/v2/images/" + privateId + "/members", alt).status());
    }

    @Test
    void altDemoCannotDownloadIt() throws Exception {
        Lab.Downloaded got = lab.download(base + "/v2/images/" + privateId + "/file", lab.altDemo());
        assertEquals(404, got.status(), got.error());
    }

    @Test
    void altDemoCannotChangeIt() {
        Token alt = lab.altDemo();
        assertEquals(404, lab.patch(base + "/v2/images/" + privateId, alt,
                List.of(Map.of("op", "replace", "path", "/name", "value", "stolen"))).status());
        assertEquals(404, lab.call("PUT", base + "/v2/images/" + privateId + "/tags/alt", alt, null).status());
        assertEquals(404, lab.call("DELETE", base + "/v2/images/" + privateId, alt, null).status());
        assertEquals(404, lab.call("POST", base + "/v2/images/" + privateId + "/actions/deactivate", alt, null)
                .status());
        JsonNode img = lab.image(base, lab.demo(), privateId);
        assertEquals("demo-private", img.path("name").asText());
        assertEquals("active", img.path("status").asText());
    }

    @Test
    void altDemoCannotImportIntoIt() {
        Token alt = lab.altDemo();
        assertEquals(404, lab.call("PUT", base + "/v2/images/" + privateId + "/stage", alt,
                RequestBody.create(new byte[1024], Lab.OCTETS)).status());
        assertEquals(404, lab.call("PUT", base + "/v2/images/" + privateId + "/file", alt,
                RequestBody.create(new byte[1024], Lab.OCTETS)).status());
        for (Map<String, Object> method : List.<Map<String, Object>>of(
                Map.of("name", "glance-direct"),
                Map.of("name", "web-download", "uri", "http://127.0.0.1:1/image"),
                Map.of("name", "copy-image"),
                Map.of("name", "glance-download", "glance_image_id", glancePrivateId, "glance_region", "RegionOne"))) {
            Lab.Resp r = lab.postJson(base + "/v2/images/" + privateId + "/import", alt, Map.of("method", method));
            assertEquals(404, r.status(), method.get("name") + " into demo's image: " + r.body());
        }
        JsonNode img = lab.image(base, lab.demo(), privateId);
        assertEquals("active", img.path("status").asText(), img.toString());
        assertEquals(0, lab.get(base + "/v2/images/" + privateId + "/tasks", lab.demo()).json().path("tasks").size());
    }

    @Test
    void altDemoCannotGlanceDownloadItFromFerry() throws Exception {
        assertGlanceDownloadFails("RegionThree", privateId);
    }

    @Test
    void altDemoCannotGlanceDownloadDemosGlanceImage() throws Exception {
        assertGlanceDownloadFails("RegionOne", glancePrivateId);
    }

    /** alt_demo's own image, glance-download of demo's image: accepted (202), then a failed task, image queued. */
    private void assertGlanceDownloadFails(String region, String remoteId) throws Exception {
        Token alt = lab.altDemo();
        String own = lab.createImage(base, alt, Map.of("name", "alt-steal-" + region, "disk_format", "iso",
                "container_format", "ovf", "os_distro", "alt-own"));
        lab.postJson(base + "/v2/images/" + own + "/import", alt, Map.of("method", Map.of("name", "glance-download",
                        "glance_image_id", remoteId, "glance_region", region, "glance_service_interface", "public")))
                .expect(202, "glance-download of demo's private image from " + region);
        JsonNode tasks = lab.waitTasksFinished(base, alt, own, TASK_TIMEOUT);
        assertEquals(1, tasks.size(), tasks.toString());
        assertEquals("failure", tasks.get(0).path("status").asText(), tasks.toString());
        assertFalse(tasks.get(0).path("message").asText().isEmpty(), tasks.toString());
        JsonNode img = lab.waitImage(base, alt, own, Duration.ofSeconds(30), "queued again",
                i -> i.path("status").asText().equals("queued"));
        assertEquals("iso", img.path("disk_format").asText(), img.toString());
        assertEquals("alt-own", img.path("os_distro").asText(), img.toString());
        assertTrue(img.path("checksum").isNull() || img.path("checksum").isMissingNode(), img.toString());
        lab.call("DELETE", base + "/v2/images/" + own, alt, null).expect(204, "delete alt's image");
    }
}
