package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestCeph;
import org.ferry.testing.TestFerry;
import org.ferry.testing.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API over an rbd store in the real Ceph lab ({@code ceph:rbd} the default, beside {@code fast:file}): upload,
 * download with Range and Content-MD5, direct_url, the discovery API, deletes refused while Cinder has a clone, and
 * Cinder registering an rbd location of its own.
 */
class RbdStoreApiTest {
    private static final String[] OWNER = as("proj-o", "member,reader");
    private static final String[] CINDER = as("proj-o", "member,reader,service");
    private static final String[] ADMIN = as("admin", "admin,member,reader");
    private static final int MIB = 1 << 20;
    private static TestCeph ceph;

    @RegisterExtension
    static final WebServer web = WebServer.started();

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        ceph = TestCeph.lab();
        TestFerry.section(c, "import_filtering_opts").put("allowed_ports", "[]");
        TestFerry.section(c, "ceph2").putAll(java.util.Map.of("rbd_store_pool", ceph.pool2(), "rbd_store_user",
                ceph.user(), "rbd_store_ceph_conf", ceph.conf(), "rbd_store_chunk_size", "1"));
        TestFerry.section(c, "DEFAULT").putAll(java.util.Map.of("enabled_backends", "ceph:rbd, fast:file, ceph2:rbd",
                "show_image_direct_url", "True", "show_multiple_locations", "True", "image_size_cap", Integer.toString(16 * MIB)));
        TestFerry.section(c, "glance_store").put("default_backend", "ceph");
        TestFerry.section(c, "ceph").putAll(java.util.Map.of("rbd_store_pool", ceph.pool(), "rbd_store_user",
                ceph.user(), "rbd_store_ceph_conf", ceph.conf(), "rbd_store_chunk_size", "1",
                "store_description", "Ceph RBD"));
    });

    @AfterAll
    static void noLeftovers() {
        if (ceph != null) {
            for (String name : ceph.images(ceph.pool())) {
                assertFalse(name.contains("-ferry-test-"), name);
            }
        }
    }

    private static String rbdUrl(String image) {
        return "rbd://" + ceph.fsid() + "/" + ceph.pool() + "/" + image + "/snap";
    }

    @Test
    void uploadWritesRbdAndDownloadServesItWithRangeAndContentMd5() {
        byte[] data = random(3 * MIB + 77);
        String id = uploaded(ferry, data, OWNER);
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals("ceph", img.get("stores").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals(rbdUrl(id), img.get("direct_url").asText());
        assertTrue(ceph.images(ceph.pool()).contains(id));

        var full = ferry.get("/v2/images/" + id + "/file", OWNER);
        assertEquals(200, full.status());
        assertArrayEquals(data, full.body());
        assertEquals(md5(data), full.header("Content-MD5"));
        var part = ferry.get("/v2/images/" + id + "/file", concat(OWNER, "Range", "bytes=2097150-2097160"));
        assertEquals(206, part.status(), part.text());
        assertArrayEquals(Arrays.copyOfRange(data, 2097150, 2097161), part.body());
        assertEquals("bytes 2097150-2097160/" + data.length, part.header("Content-Range"));

        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id), "the RBD image went with the image");
    }

    @Test
    void aFailedUploadLeavesNoRbdImage() {
        String id = create(ferry, OWNER);
        var r = ferry.putData("/v2/images/" + id + "/file", random(16 * MIB + 1), OWNER);
        assertEquals(413, r.status(), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void discoveryShowsTheRbdStore() {
        var r = ferry.get("/v2/info/stores/detail", ADMIN);
        assertEquals(200, r.status(), r.text());
        JsonNode ceph0 = r.json().get("stores").get(0);
        assertEquals("ceph", ceph0.get("id").asText());
        assertEquals("rbd", ceph0.get("type").asText());
        assertEquals("Ceph RBD", ceph0.get("description").asText());
        JsonNode p = ceph0.get("properties");
        assertEquals(MIB, p.get("chunk_size").asInt());
        assertEquals(ceph.pool(), p.get("pool").asText());
        assertFalse(p.get("thin_provisioning").asBoolean());
        assertEquals(ceph.fsid(), p.get("fsid").asText());
    }

    @Test
    void anImageCinderClonedCannotBeDeletedUntilTheVolumeIsGone() {
        byte[] data = random(MIB + 5);
        String id = uploaded(ferry, data, OWNER);
        String volume = "volume-" + UUID.randomUUID();
        TestCeph.Result clone = ceph.rbdAsCinder("clone", ceph.pool() + "/" + id + "@snap",
                ceph.cinderPool() + "/" + volume);
        assertEquals(0, clone.exit(), clone.stderr());
        try {
            var r = ferry.delete("/v2/images/" + id, OWNER);
            assertEquals(409, r.status(), r.text());
            assertTrue(r.text().contains("Image " + id + " could not be deleted because it is in use"), r.text());
            assertEquals("active", show(ferry, id).get("status").asText());
            assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "nothing was deleted");
            assertTrue(ceph.rbd("snap", "ls", ceph.pool() + "/" + id).contains("snap"));
        } finally {
            ceph.rbd("rm", ceph.cinderPool() + "/" + volume);
        }
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void cinderRegistersAnRbdLocationAndTheImageGoesActive() {
        byte[] data = random(2 * MIB + 3);
        String name = "cinder-" + UUID.randomUUID();
        ceph.rbdImport(data, ceph.pool() + "/" + name);
        ceph.rbd("snap", "create", ceph.pool() + "/" + name + "@snap");
        ceph.rbd("snap", "protect", ceph.pool() + "/" + name + "@snap");
        String id = create(ferry, CINDER);
        var r = ferry.postJson("/v2/images/" + id + "/locations", "{\"url\":\"" + rbdUrl(name) + "\"}", CINDER);
        assertEquals(202, r.status(), r.text());
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "active".equals(show(ferry, id).get("status")
                .asText()) && !show(ferry, id).get("os_hash_value").isNull());
        JsonNode img = show(ferry, id);
        assertEquals(data.length, img.get("size").asLong());
        assertEquals(md5(data), img.get("checksum").asText(), "hashed by reading through librbd");
        var locs = ferry.get("/v2/images/" + id + "/locations", CINDER);
        assertEquals(200, locs.status(), locs.text());
        assertEquals(rbdUrl(name), locs.json().get(0).get("url").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(name));
    }

    @Test
    void anRbdLocationOfAnotherClusterOrPoolIsRefusedWithTheReason() {
        String id = create(ferry, CINDER);
        var otherCluster = ferry.postJson("/v2/images/" + id + "/locations", "{\"url\":\"rbd://" + UUID.randomUUID()
                + "/" + ceph.pool() + "/x/snap\"}", CINDER);
        assertEquals(400, otherCluster.status(), otherCluster.text());
        assertTrue(otherCluster.text().contains("not in the pool of a configured rbd store"), otherCluster.text());
        var otherPool = ferry.postJson("/v2/images/" + id + "/locations", "{\"url\":\"rbd://" + ceph.fsid()
                + "/" + ceph.cinderPool() + "/x/snap\"}", CINDER);
        assertEquals(400, otherPool.status(), otherPool.text());
        assertTrue(otherPool.text().contains("Invalid location"), otherPool.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
    }

    private static JsonNode awaitImport(String id, String stores) {
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            JsonNode img = show(ferry, id);
            return !img.has("os_glance_import_task") && stores.equals(img.path("stores").asText());
        });
        return show(ferry, id);
    }

    @Test
    void webDownloadStreamsIntoRbdWithoutStaging() {
        byte[] data = random(3 * MIB + 1);
        web.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/image.raw").willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withBody(data)));
        String id = create(ferry, OWNER);
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"web-download\",\"uri\":\""
                + web.baseUrl() + "/image.raw\"},\"stores\":[\"ceph\"]}", OWNER);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(id, "ceph");
        assertEquals("active", img.get("status").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertFalse(java.nio.file.Files.exists(ferry.dir().resolve("staging").resolve(id)), "nothing was staged");
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void copyImageStreamsFromFileAndCopiesInsideCephBetweenPools() {
        byte[] data = random(2 * MIB + 9);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", data, concat(OWNER, "X-Image-Meta-Store",
                "fast")).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"ceph\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(id, "ceph,fast");
        r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"ceph2\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(id, "ceph,ceph2,fast");
        assertEquals("active", img.get("status").asText());
        assertTrue(ceph.images(ceph.pool2()).contains(id));
        assertEquals(204, ferry.delete("/v2/stores/ceph/" + id, ADMIN).status(), "the source's delete flattens the "
                + "copy first if its background flatten has not yet");
        assertFalse(ceph.rbd("info", ceph.pool2() + "/" + id).contains("parent:"), "flattened: independent copy");
        assertEquals(204, ferry.delete("/v2/stores/fast/" + id, ADMIN).status());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from ceph2 alone");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
        assertFalse(ceph.images(ceph.pool2()).contains(id));
    }

    @Test
    void deletingOneStoresCopyIsRefusedWhileItHasClones() {
        String id = uploaded(ferry, random(MIB), OWNER);
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"fast\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(id, "ceph,fast");
        String volume = "volume-" + UUID.randomUUID();
        assertEquals(0, ceph.rbdAsCinder("clone", ceph.pool() + "/" + id + "@snap", ceph.cinderPool() + "/" + volume)
                .exit());
        try {
            var refused = ferry.delete("/v2/stores/ceph/" + id, ADMIN);
            assertEquals(409, refused.status(), refused.text());
            assertTrue(refused.text().contains("The image cannot be deleted because it is in use through the backend "
                    + "store outside of Glance."), refused.text());
            assertEquals("ceph,fast", show(ferry, id).get("stores").asText());
        } finally {
            ceph.rbd("rm", ceph.cinderPool() + "/" + volume);
        }
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void anUploadOnABaseImageInRbdGoesIntoTheBasesRbdStores() {
        // the base: in ceph (the default) and copied inside Ceph into ceph2
        String base = uploaded(ferry, random(MIB + 1), OWNER);
        assertEquals(202, ferry.postJson("/v2/images/" + base + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"ceph2\"]}", ADMIN).status());
        awaitImport(base, "ceph,ceph2");
        byte[] data = random(2 * MIB + 3);
        String id = create(ferry, OWNER);
        var r = ferry.putData("/v2/images/" + id + "/file", data, concat(OWNER, "x-openstack-base-image-ref", base));
        assertEquals(204, r.status(), r.text());
        JsonNode img = awaitImport(id, "ceph,ceph2");
        assertEquals("active", img.get("status").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertTrue(ceph.images(ceph.pool()).contains(id) && ceph.images(ceph.pool2()).contains(id));
        assertEquals(204, ferry.delete("/v2/stores/ceph/" + id, ADMIN).status());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "the copy in ceph2 is whole");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertEquals(204, ferry.delete("/v2/images/" + base, OWNER).status());
        assertFalse(ceph.images(ceph.pool2()).contains(id) || ceph.images(ceph.pool2()).contains(base));
    }

    @Test
    void removingAnRbdLocationThroughPatchIsRefusedWhileItHasClones() {
        String id = uploaded(ferry, random(MIB), OWNER);
        assertEquals(202, ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"fast\"]}", ADMIN).status());
        awaitImport(id, "ceph,fast");
        JsonNode locs = show(ferry, id).get("locations");
        int at = locs.get(0).get("url").asText().startsWith("rbd://") ? 0 : 1;
        assertEquals(rbdUrl(id), locs.get(at).get("url").asText());
        String remove = "[{\"op\":\"remove\",\"path\":\"/locations/" + at + "\"}]";
        String volume = "volume-" + UUID.randomUUID();
        assertEquals(0, ceph.rbdAsCinder("clone", ceph.pool() + "/" + id + "@snap", ceph.cinderPool() + "/" + volume)
                .exit());
        try {
            var refused = ferry.call("PATCH", "/v2/images/" + id, "application/openstack-images-v2.1-json-patch",
                    remove.getBytes(java.nio.charset.StandardCharsets.UTF_8), ADMIN);
            assertEquals(409, refused.status(), refused.text());
            assertTrue(refused.text().contains("cannot be removed because its data is in use"), refused.text());
            assertEquals("ceph,fast", show(ferry, id).get("stores").asText());
            assertTrue(ceph.images(ceph.pool()).contains(id));
        } finally {
            ceph.rbd("rm", ceph.cinderPool() + "/" + volume);
        }
        var ok = ferry.call("PATCH", "/v2/images/" + id, "application/openstack-images-v2.1-json-patch",
                remove.getBytes(java.nio.charset.StandardCharsets.UTF_8), ADMIN);
        assertEquals(200, ok.status(), ok.text());
        assertEquals("fast", show(ferry, id).get("stores").asText());
        assertFalse(ceph.images(ceph.pool()).contains(id), "the removed location's RBD image is deleted");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
    }

    private static String[] concat(String[] a, String... b) {
        return org.ferry.data.ImageFixtures.concat(a, b);
    }
}
