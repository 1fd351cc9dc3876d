package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.interop.Lab.Digests;
import org.ferry.interop.Lab.RandomData;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestCeph;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;


import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ferry and real Glance side by side on one Ceph pool: Glance RegionOne has glance_store's rbd driver as store
 * {@code ceph} (openstack-lab.sh up --ceph-dir), Ferry (RegionThree) an rbd store {@code ceph} on the same pool.
 * An image real Glance wrote to RBD is served by Ferry through Glance's own location; glance-download moves images
 * both ways between the two rbd stores.
 */
@Tag("interop")
class RbdInteropTest {
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    static Path work;
    static Lab lab;
    static TestCeph ceph;
    static TestFerry ferry;
    static final Lab.MadeImages made = new Lab.MadeImages();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        if (lab.glanceOneRbdStore().isEmpty()) {
            String why = "the OpenStack lab was started without --ceph-dir: Glance RegionOne has no rbd store";
            if (System.getenv("CI") != null) {
                fail(why + " (CI is set, so this is fatal: .ci/run starts the lab with the Ceph lab's directory)");
            }
            Assumptions.abort(why);
        }
        ceph = TestCeph.lab();
        ferry = lab.startFerry(work, c -> {
            TestFerry.section(c, "DEFAULT").merge("enabled_backends", "ceph:rbd", (a, b) -> b + ", " + a);
            TestFerry.section(c, "ceph").putAll(Map.of("rbd_store_pool", ceph.pool(), "rbd_store_user", ceph.user(),
                    "rbd_store_ceph_conf", ceph.conf(), "store_description", "Ceph RBD store of RegionThree"));
        });
    }

    @AfterAll
    static void stop() {
        made.deleteAll(lab);
        if (ferry != null) {
            ferry.close();
        }
    }

    static String create(String base, Token token, String name) {
        return made.raw(lab, base, token, name);
    }

    static String rbdUrl(String image) {
        return "rbd://" + ceph.fsid() + "/" + ceph.pool() + "/" + image + "/snap";
    }

    /** An active image in {@code base}'s rbd store {@code ceph}, uploaded by the demo user. */
    static JsonNode uploadedToRbd(String base, RandomData data, String name) throws Exception {
        Token demo = lab.demo();
        String id = create(base, demo, name);
        lab.call("PUT", base + "/v2/images/" + id + "/file", demo, data.body(), "X-Image-Meta-Store", "ceph")
                .expect(204, "upload into the rbd store of " + base);
        JsonNode img = lab.waitImage(base, demo, id, TIMEOUT, "active", i -> i.path("status").asText().equals("active"));
        assertEquals("ceph", img.path("stores").asText(), img.toString());
        assertTrue(ceph.images(ceph.pool()).contains(id), "the RBD image " + id + " is in the pool");
        return img;
    }

    @Test
    void ferryServesAnImageRealGlanceWroteToRbdThroughItsLocation() throws Exception {
        RandomData data = new RandomData(31, 24L * 1024 * 1024 + 4321);
        Digests expected = data.digests();
        JsonNode source = uploadedToRbd(lab.glanceOne(), data, "interop-glance-rbd");
        assertEquals(expected.md5(), source.path("checksum").asText());

        // Cinder's way in: a service registers Glance's rbd location on a Ferry image (New Location API)
        Token service = lab.token("glance", "service");
        String ferryUrl = ferry.url();
        String id = lab.createImage(ferryUrl, service, Map.of("name", "interop-shared-location", "disk_format", "raw",
                "container_format", "bare"));
        lab.postJson(ferryUrl + "/v2/images/" + id + "/locations", service, Map.of("url",
                        rbdUrl(source.path("id").asText()), "validation_data", Map.of("os_hash_algo", "sha512",
                        "os_hash_value", source.path("os_hash_value").asText())))
                .expect(202, "register Glance's rbd location in Ferry");
        JsonNode img = lab.waitImage(ferryUrl, service, id, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals(expected.size(), img.path("size").asLong(), img.toString());
        assertEquals("ceph", img.path("stores").asText(), img.toString());
        Lab.Downloaded got = lab.download(ferryUrl + "/v2/images/" + id + "/file", service);
        assertEquals(200, got.status(), got.error());
        assertEquals(expected, got.digests(), "Ferry reads Glance's RBD image through librbd");
        // Ferry's image is not deleted here: its location is Glance's data
    }

    @Test
    void ferryGlanceDownloadsFromRealGlanceIntoItsRbdStore() throws Exception {
        RandomData data = new RandomData(32, 40L * 1024 * 1024 + 7);
        Digests expected = data.digests();
        JsonNode source = uploadedToRbd(lab.glanceOne(), data, "interop-glance-rbd-source");
        Token demo = lab.demo();
        String ferryUrl = ferry.url();
        String id = create(ferryUrl, demo, "interop-ferry-rbd-dest");
        lab.postJson(ferryUrl + "/v2/images/" + id + "/import", demo, Map.of("method", Map.of("name",
                        "glance-download", "glance_image_id", source.path("id").asText(), "glance_region", "RegionOne",
                        "glance_service_interface", "public"), "stores", List.of("ceph")))
                .expect(202, "glance-download into Ferry's rbd store");
        lab.waitTasksFinished(ferryUrl, demo, id, TIMEOUT);
        JsonNode img = lab.image(ferryUrl, demo, id);
        assertEquals("active", img.path("status").asText(), img.toString());
        assertEquals("ceph", img.path("stores").asText(), img.toString());
        assertEquals(source.path("os_hash_value").asText(), img.path("os_hash_value").asText());
        assertTrue(ceph.images(ceph.pool()).contains(id), "Ferry's RBD image beside Glance's");
        assertEquals(expected, lab.download(ferryUrl + "/v2/images/" + id + "/file", demo).digests());
    }

    @Test
    void realGlanceGlanceDownloadsFromFerryIntoItsRbdStore() throws Exception {
        RandomData data = new RandomData(33, 16L * 1024 * 1024 + 99);
        Digests expected = data.digests();
        JsonNode source = uploadedToRbd(ferry.url(), data, "interop-ferry-rbd-source");
        Token demo = lab.demo();
        String glance = lab.glanceOne();
        String id = create(glance, demo, "interop-glance-rbd-dest");
        lab.postJson(glance + "/v2/images/" + id + "/import", demo, Map.of("method", Map.of("name",
                        "glance-download", "glance_image_id", source.path("id").asText(), "glance_region",
                        "RegionThree", "glance_service_interface", "public"), "stores", List.of("ceph")))
                .expect(202, "glance-download into Glance's rbd store");
        JsonNode img = lab.waitImage(glance, demo, id, TIMEOUT, "active or failed",
                i -> i.path("status").asText().equals("active") || !i.path("os_glance_failed_import").asText().isEmpty());
        assertEquals("active", img.path("status").asText(), img + "\ntasks: "
                + lab.get(glance + "/v2/images/" + id + "/tasks", demo).body());
        assertEquals("ceph", img.path("stores").asText(), img.toString());
        assertEquals(source.path("os_hash_value").asText(), img.path("os_hash_value").asText());
        assertTrue(ceph.images(ceph.pool()).contains(id), "Glance's RBD image beside Ferry's");
        assertEquals(expected, lab.download(glance + "/v2/images/" + id + "/file", demo).digests());
    }

    @Test
    void realGlanceServesAnImageFerryWroteToRbdThroughItsLocation() throws Exception {
        RandomData data = new RandomData(34, 9L * 1024 * 1024 + 17);
        Digests expected = data.digests();
        JsonNode source = uploadedToRbd(ferry.url(), data, "interop-ferry-rbd-shared");
        Token demo = lab.demo();
        String glance = lab.glanceOne();
        String id = create(glance, demo, "interop-glance-shared-location");
        // Zed's way to register a location: the legacy PATCH (show_multiple_locations = True on RegionOne)
        var patched = lab.patch(glance + "/v2/images/" + id, demo, List.of(Map.of("op", "add", "path", "/locations/-",
                "value", Map.of("url", rbdUrl(source.path("id").asText()), "metadata", Map.of()))));
        patched.expect(200, "add Ferry's rbd location to a Glance image");
        JsonNode img = lab.waitImage(glance, demo, id, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals(expected.size(), img.path("size").asLong(), img.toString());
        assertEquals(expected, lab.download(glance + "/v2/images/" + id + "/file", demo).digests(),
                "Glance reads Ferry's RBD image through its own rbd driver");
        // the clean-up deletes Ferry's image (created first) before Glance's, which then finds the RBD image gone
    }
}
