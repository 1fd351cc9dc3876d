package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.replication.ReplicationKit.count;
import static org.ferry.replication.ReplicationKit.image;
import static org.ferry.replication.ReplicationKit.outcome;
import static org.ferry.replication.ReplicationKit.result;
import static org.ferry.replication.ReplicationKit.runJob;
import static org.ferry.replication.ReplicationKit.show;
import static org.ferry.replication.ReplicationKit.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job options around the copy, without Keystone (regions from [glance_download_regions]): tag and property
 * filters, a conflict that is reported and never overwritten, on_source_deleted = delete and = report, and
 * preserve_ids = false (the copy gets an id of its own and is still recognised by later runs).
 */
class ReplicationOptionsTest {
    @TempDir
    static Path dir;
    static TestFerry one;
    static TestFerry target;

    @BeforeAll
    static void start() {
        one = TestFerry.start(dir.resolve("one"), TestFerry.anyPortConfig(dir.resolve("one")));
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir.resolve("target"));
        TestFerry.section(c, "glance_download_regions").put("RegionOne", one.url());
        TestFerry.section(c, "replication").put("jobs", "mirror, fresh");
        TestFerry.section(c, "replication:mirror").putAll(Map.of("source_regions", "RegionOne", "tags", "mirror",
                "properties", "os_distro:debian", "on_source_deleted", "delete"));
        TestFerry.section(c, "replication:fresh").putAll(Map.of("source_regions", "RegionOne", "tags", "fresh",
                "preserve_ids", "false"));
        target = TestFerry.start(dir.resolve("target"), c);
    }

    @AfterAll
    static void stop() {
        TestFerry.closeAll(target, one);
    }

    static String publicImage(String name, String tag, String distro, byte[] data) {
        return image(one, "{\"name\":\"" + name + "\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\",\"tags\":[\"" + tag + "\"],\"os_distro\":\"" + distro + "\"}", data);
    }

    @Test
    void filtersConflictsVanishedImagesAndNewIds() {
        byte[] d1 = random(40 << 10, 41);
        byte[] d2 = random(50 << 10, 42);
        byte[] dc = random(60 << 10, 43);
        byte[] other = random(60 << 10, 44);
        String m1 = publicImage("m1", "mirror", "debian", d1);
        String m2 = publicImage("m2", "mirror", "debian", d2);
        String m3 = publicImage("m3", "mirror", "fedora", random(1000, 45));
        String c1 = publicImage("c1", "mirror", "debian", dc);
        String f1 = publicImage("f1", "fresh", "debian", random(30 << 10, 46));
        // the target already has an image with c1's id, holding other data
        assertEquals(c1, image(target, "{\"id\":\"" + c1 + "\",\"name\":\"local\",\"disk_format\":\"raw\","
                + "\"container_format\":\"bare\",\"visibility\":\"public\"}", other));

        JsonNode mirror = runJob(target, "mirror");
        assertEquals("partial", mirror.get("status").asText(), mirror.toString());
        assertEquals(3, count(mirror, "seen"), "m3 is filtered out by its os_distro: " + mirror);
        assertNull(outcome(mirror, m3));
        assertEquals(404, status(target, m3));
        assertEquals(2, count(mirror, "copied"), mirror.toString());
        JsonNode conflict = result(mirror, c1);
        assertEquals("conflict", conflict.get("status").asText());
        assertTrue(conflict.get("detail").asText().contains("holds different data"), conflict.toString());
        assertEquals(md5(other), show(target, c1).get("checksum").asText(), "a conflict is never overwritten");
        assertEquals("local", show(target, c1).get("name").asText());
        assertEquals(c1, mirror.get("errors").get(0).get("image_id").asText(), "conflicts are listed as errors");

        JsonNode fresh = runJob(target, "fresh");
        assertEquals("succeeded", fresh.get("status").asText(), fresh.toString());
        String copyId = result(fresh, f1).get("target_id").asText();
        assertNotEquals(f1, copyId, "preserve_ids = false: the copy has an id of its own");
        assertEquals(404, status(target, f1));
        assertEquals("f1", show(target, copyId).get("name").asText());
        JsonNode again = runJob(target, "fresh");
        assertEquals("skipped", outcome(again, f1), again.toString());
        assertEquals(copyId, result(again, f1).get("target_id").asText());

        assertEquals(204, one.delete("/v2/images/" + m2).status());
        assertEquals(204, one.delete("/v2/images/" + f1).status());

        JsonNode mirror2 = runJob(target, "mirror");
        assertEquals("deleted", outcome(mirror2, m2), mirror2.toString());
        assertEquals(1, count(mirror2, "deleted"));
        assertEquals(404, status(target, m2), "on_source_deleted = delete removed the copy");
        assertEquals("skipped", outcome(mirror2, m1));
        assertEquals("active", show(target, m1).get("status").asText());
        assertEquals("conflict", outcome(mirror2, c1), "the conflicting image was never adopted, nor deleted");

        JsonNode fresh2 = runJob(target, "fresh");
        assertEquals("vanished", outcome(fresh2, f1), fresh2.toString());
        assertEquals(1, count(fresh2, "vanished"));
        assertTrue(result(fresh2, f1).get("detail").asText().contains("kept (on_source_deleted = report)"),
                fresh2.toString());
        assertEquals("active", show(target, copyId).get("status").asText(), "report only: the copy stays");
        assertEquals(md5(d1), show(target, m1).get("checksum").asText());
    }
}
