package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.interop.Lab.Digests;
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
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * glance-download both ways between Ferry (RegionThree, started here with real Keystone authentication) and the real
 * Glance regions of the lab, with the demo user's token: Ferry pulls a 256 MiB image from Glance RegionOne, and
 * Glance RegionTwo pulls an image from Ferry.
 */
@Tag("interop")
class GlanceDownloadInteropTest {
    static final long BIG = 256L * 1024 * 1024;
    static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static final Lab.MadeImages made = new Lab.MadeImages();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        ferry = lab.startFerry(work);
    }

    @AfterAll
    static void stop() {
        made.deleteAll(lab);
        if (ferry != null) {
            ferry.close();
        }
    }

    static String create(String base, Token token, Map<String, Object> fields) {
        return made.create(lab, base, token, fields);
    }

    @Test
    void ferryDownloadsA256MiBImageFromGlanceRegionOne() throws Exception {
        Token demo = lab.demo();
        String glance = lab.glanceOne();
        RandomData data = new RandomData(256, BIG);
        Digests expected = data.digests();

        // the source: an image in the real Glance, with properties glance-download copies and some it must not
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("name", "interop-source-256m");
        src.put("disk_format", "raw");
        src.put("container_format", "bare");
        src.put("visibility", "private");
        src.put("hw_cpu_cores", "2");
        src.put("hw_disk_bus", "scsi");
        src.put("trait:CUSTOM_INTEROP", "required");
        src.put("os_distro", "cirros");
        src.put("os_type", "linux");
        src.put("speed", "88mph");
        src.put("interop_note", "not copied");
        String srcId = create(glance, demo, src);
        lab.call("PUT", glance + "/v2/images/" + srcId + "/file", demo, data.body())
                .expect(204, "upload 256 MiB to Glance");
        JsonNode source = lab.waitImage(glance, demo, srcId, Duration.ofMinutes(5), "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals(BIG, source.path("size").asLong(), source.toString());
        assertEquals(expected.md5(), source.path("checksum").asText(), "Glance's checksum of the upload");
        assertEquals("sha512", source.path("os_hash_algo").asText());
        assertEquals(expected.sha512(), source.path("os_hash_value").asText(), "Glance's os_hash_value");

        // the destination in Ferry: other formats and conflicting copied properties, plus one of its own
        Map<String, Object> dst = new LinkedHashMap<>();
        dst.put("name", "interop-dest-256m");
        dst.put("disk_format", "iso");
        dst.put("container_format", "ovf");
        dst.put("hw_cpu_cores", "8");
        dst.put("os_distro", "other");
        dst.put("own_key", "kept");
        String ferryUrl = ferry.url();
        String dstId = create(ferryUrl, demo, dst);
        long t0 = System.nanoTime();
        Lab.Resp accepted = lab.postJson(ferryUrl + "/v2/images/" + dstId + "/import", demo,
                Map.of("method", Map.of("name", "glance-download", "glance_image_id", srcId,
                        "glance_region", "RegionOne", "glance_service_interface", "public")));
        accepted.expect(202, "glance-download import into Ferry");

        JsonNode tasks = lab.waitTasksFinished(ferryUrl, demo, dstId, IMPORT_TIMEOUT);
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, tasks.size(), tasks.toString());
        JsonNode task = tasks.get(0);
        assertEquals("success", task.path("status").asText(), "task: " + task);
        assertEquals("glance-download", task.path("input").path("import_req").path("method").path("name").asText(),
                task.toString());
        assertEquals(demo.projectId(), task.path("owner").asText(), task.toString());

        JsonNode img = lab.waitImage(ferryUrl, demo, dstId, Duration.ofSeconds(30), "active",
                i -> i.path("status").asText().equals("active"));
        System.out.printf("glance-download of 256 MiB, Glance RegionOne -> Ferry: %.1f s (%.0f MB/s)%n", secs,
                BIG / 1e6 / secs);
        assertEquals(BIG, img.path("size").asLong(), img.toString());
        assertEquals(source.path("checksum").asText(), img.path("checksum").asText(), "checksum");
        assertEquals(source.path("os_hash_algo").asText(), img.path("os_hash_algo").asText(), "os_hash_algo");
        assertEquals(source.path("os_hash_value").asText(), img.path("os_hash_value").asText(), "os_hash_value");
        // formats come from the remote image
        assertEquals("raw", img.path("disk_format").asText(), img.toString());
        assertEquals("bare", img.path("container_format").asText(), img.toString());
        // properties by the [glance_download_properties] prefixes: copied over the destination's own values
        assertEquals("2", img.path("hw_cpu_cores").asText(), img.toString());
        assertEquals("scsi", img.path("hw_disk_bus").asText(), img.toString());
        assertEquals("required", img.path("trait:CUSTOM_INTEROP").asText(), img.toString());
        assertEquals("cirros", img.path("os_distro").asText(), img.toString());
        assertEquals("linux", img.path("os_type").asText(), img.toString());
        // others are not copied; the destination's own stay
        assertFalse(img.has("speed"), img.toString());
        assertFalse(img.has("interop_note"), img.toString());
        assertEquals("kept", img.path("own_key").asText(), img.toString());
        assertEquals("interop-dest-256m", img.path("name").asText(), img.toString());
        assertEquals("fast", img.path("stores").asText(), img.toString());
        assertEquals("", img.path("os_glance_failed_import").asText(), img.toString());

        // and the bytes Ferry serves are the bytes Glance got
        Lab.Downloaded got = lab.download(ferryUrl + "/v2/images/" + dstId + "/file", demo);
        assertEquals(200, got.status(), got.error());
        assertEquals(expected, got.digests(), "the image data Ferry serves");
    }

    @Test
    void glanceRegionTwoDownloadsAnImageFromFerry() throws Exception {
        Token demo = lab.demo();
        String ferryUrl = ferry.url();
        RandomData data = new RandomData(2, 48L * 1024 * 1024 + 12345);
        Digests expected = data.digests();

        Map<String, Object> src = new LinkedHashMap<>();
        src.put("name", "interop-ferry-source");
        src.put("disk_format", "qcow2");
        src.put("container_format", "bare");
        src.put("hw_scsi_model", "virtio-scsi");
        src.put("os_distro", "debian");
        src.put("ferry_only", "not copied");
        String srcId = create(ferryUrl, demo, src);
        lab.call("PUT", ferryUrl + "/v2/images/" + srcId + "/file", demo, data.body())
                .expect(204, "upload to Ferry");
        JsonNode source = lab.image(ferryUrl, demo, srcId);
        assertEquals("active", source.path("status").asText(), source.toString());
        assertEquals(expected.md5(), source.path("checksum").asText(), "Ferry's checksum");
        assertEquals(expected.sha512(), source.path("os_hash_value").asText(), "Ferry's os_hash_value");

        // Glance RegionTwo finds RegionThree (Ferry) in the demo token's catalog
        String glance = lab.glanceTwo();
        String dstId = create(glance, demo, Map.of("name", "interop-from-ferry", "disk_format", "raw",
                "container_format", "bare"));
        lab.postJson(glance + "/v2/images/" + dstId + "/import", demo,
                        Map.of("method", Map.of("name", "glance-download", "glance_image_id", srcId,
                                "glance_region", "RegionThree", "glance_service_interface", "public")))
                .expect(202, "glance-download import into Glance RegionTwo");
        JsonNode img = lab.waitImage(glance, demo, dstId, IMPORT_TIMEOUT, "active or failed",
                i -> i.path("status").asText().equals("active") || !i.path("os_glance_failed_import").asText().isEmpty()
                        || (i.path("status").asText().equals("queued") && i.has("os_glance_import_task")
                        && tasksFailed(glance, demo, dstId)));
        assertEquals("active", img.path("status").asText(), "Glance's image: " + img + "\ntasks: "
                + lab.get(glance + "/v2/images/" + dstId + "/tasks", demo).body());
        assertEquals(expected.size(), img.path("size").asLong(), img.toString());
        assertEquals(source.path("checksum").asText(), img.path("checksum").asText(), "checksum");
        assertEquals(source.path("os_hash_algo").asText(), img.path("os_hash_algo").asText(), "os_hash_algo");
        assertEquals(source.path("os_hash_value").asText(), img.path("os_hash_value").asText(), "os_hash_value");
        assertEquals("qcow2", img.path("disk_format").asText(), img.toString());
        assertEquals("virtio-scsi", img.path("hw_scsi_model").asText(), img.toString());
        assertEquals("debian", img.path("os_distro").asText(), img.toString());
        assertFalse(img.has("ferry_only"), img.toString());

        // Glance marks its task a moment after the image turns active
        JsonNode tasks = lab.waitTasksFinished(glance, demo, dstId, Duration.ofMinutes(1));
        assertEquals(1, tasks.size(), tasks.toString());
        assertEquals("success", tasks.get(0).path("status").asText(), tasks.toString());

        Lab.Downloaded got = lab.download(glance + "/v2/images/" + dstId + "/file", demo);
        assertEquals(200, got.status(), got.error());
        assertEquals(expected, got.digests(), "the image data Glance serves");
    }

    private static boolean tasksFailed(String base, Token token, String id) {
        Lab.Resp r = lab.get(base + "/v2/images/" + id + "/tasks", token);
        if (r.status() != 200) {
            return false;
        }
        for (JsonNode t : r.json().path("tasks")) {
            if (t.path("status").asText().equals("failure")) {
                return true;
            }
        }
        return false;
    }
}
