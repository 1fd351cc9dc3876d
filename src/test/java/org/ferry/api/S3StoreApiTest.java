package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestCeph;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestS3;
import org.ferry.testing.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.awaitImport;
import static org.ferry.data.ImageFixtures.concat;
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
 * The API over an s3 store on the Ceph lab's radosgw ({@code s3:s3} the default, beside {@code fast:file} and
 * {@code ceph:rbd}), with 5 MiB parts so that a few MiB already take the multipart path: upload, download with Range
 * and Content-MD5, direct_url, web-download, glance-direct, copy-image both ways with file and rbd, a failed upload,
 * the discovery API, a location in Glance's form, and no secret anywhere.
 */
class S3StoreApiTest {
    private static final String[] OWNER = as("proj-o", "member,reader");
    private static final String[] ADMIN = as("admin", "admin,member,reader");
    private static final String[] SERVICE = as("proj-o", "member,reader,service");
    private static final int MIB = 1 << 20;
    private static final String BUCKET = "ferry-api-" + UUID.randomUUID().toString().substring(0, 8);
    private static TestS3 s3;
    private static TestCeph ceph;

    @RegisterExtension
    static final WebServer web = WebServer.started();

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        s3 = TestS3.lab();
        TestFerry.section(c, "import_filtering_opts").put("allowed_ports", "[]");
        ceph = TestCeph.lab();
        TestFerry.section(c, "ceph").putAll(java.util.Map.of("rbd_store_pool", ceph.pool(), "rbd_store_user",
                ceph.user(), "rbd_store_ceph_conf", ceph.conf(), "rbd_store_chunk_size", "1"));
        TestFerry.section(c, "DEFAULT").putAll(java.util.Map.of("enabled_backends", "s3:s3, fast:file, ceph:rbd",
                "show_image_direct_url", "True", "show_multiple_locations", "True",
                "image_size_cap", Integer.toString(32 * MIB)));
        TestFerry.section(c, "glance_store").put("default_backend", "s3");
        TestFerry.section(c, "s3").putAll(java.util.Map.of("s3_store_host", s3.endpoint(), "s3_store_access_key",
                s3.accessKey(), "s3_store_secret_key", s3.secretKey(), "s3_store_bucket", BUCKET,
                "s3_store_create_bucket_on_put", "True", "s3_store_large_object_chunk_size", "5",
                "s3_store_thread_pools", "3", "store_description", "radosgw"));
    });

    private static S3Client raw() {
        return s3.client();
    }

    private static List<String> objects() {
        try (S3Client c = raw()) {
            List<String> out = new ArrayList<>();
            c.listObjectsV2Paginator(r -> r.bucket(BUCKET)).contents().forEach(o -> out.add(o.key()));
            return out;
        } catch (NoSuchBucketException e) {
            return List.of();
        }
    }

    private static int uploads() {
        try (S3Client c = raw()) {
            return c.listMultipartUploads(r -> r.bucket(BUCKET)).uploads().size();
        } catch (NoSuchBucketException e) {
            return 0;
        }
    }

    @AfterAll
    static void noLeftoversThenRemoveTheBucket() {
        if (s3 == null) {
            return;
        }
        List<String> left = objects();
        int open = uploads();
        try (S3Client c = raw()) {
            left.forEach(k -> c.deleteObject(r -> r.bucket(BUCKET).key(k)));
            c.listMultipartUploads(r -> r.bucket(BUCKET)).uploads().forEach(u -> c.abortMultipartUpload(r ->
                    r.bucket(BUCKET).key(u.key()).uploadId(u.uploadId())));
            c.deleteBucket(r -> r.bucket(BUCKET));
        } catch (NoSuchBucketException ignored) {
            // never made
        }
        assertEquals(List.of(), left, "objects left behind");
        assertEquals(0, open, "multipart uploads left behind");
    }

    private static String url(String id) {
        return "s3://" + s3.endpoint().replace("http://", "") + "/" + BUCKET + "/" + id;
    }

    @Test
    void uploadWritesS3AndDownloadServesItWithRangeAndContentMd5() {
        byte[] data = random(12 * MIB + 77); // three parts
        String id = uploaded(ferry, data, OWNER);
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals("s3", img.get("stores").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals(url(id), img.get("direct_url").asText());
        assertFalse(img.toString().contains(s3.secretKey()), "no secret in the image");
        assertTrue(objects().contains(id));

        var full = ferry.get("/v2/images/" + id + "/file", OWNER);
        assertEquals(200, full.status());
        assertArrayEquals(data, full.body());
        assertEquals(md5(data), full.header("Content-MD5"));
        var part = ferry.get("/v2/images/" + id + "/file", concat(OWNER, "Range", "bytes=5242870-10485800"));
        assertEquals(206, part.status(), part.text());
        assertArrayEquals(Arrays.copyOfRange(data, 5242870, 10485801), part.body());

        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().contains(id), "the object went with the image");
    }

    @Test
    void aFailedUploadLeavesNoObjectAndNoMultipartUpload() {
        String id = create(ferry, OWNER);
        var r = ferry.putData("/v2/images/" + id + "/file", random(32 * MIB + 1), OWNER);
        assertEquals(413, r.status(), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertFalse(objects().contains(id));
        assertEquals(0, uploads());
    }

    @Test
    void webDownloadStreamsIntoS3() {
        byte[] data = random(7 * MIB + 1);
        web.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/s3-image.raw").willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withBody(data)));
        String id = create(ferry, OWNER);
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"web-download\",\"uri\":\""
                + web.baseUrl() + "/s3-image.raw\"},\"stores\":[\"s3\"]}", OWNER);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "s3");
        assertEquals("active", img.get("status").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().contains(id));
    }

    @Test
    void copyImageBetweenFileAndS3BothWays() {
        byte[] data = random(6 * MIB + 9);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", data, concat(OWNER, "X-Image-Meta-Store",
                "fast")).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"s3\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(ferry, id, "fast,s3");
        assertEquals(204, ferry.delete("/v2/stores/fast/" + id, ADMIN).status());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from s3 alone");
        r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"fast\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "s3,fast");
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(204, ferry.delete("/v2/stores/s3/" + id, ADMIN).status());
        assertFalse(objects().contains(id));
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from fast alone");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
    }

    @Test
    void aLocationInGlancesFormIsServedButItsKeysAreNeverShown() {
        byte[] data = random(2 * MIB + 5);
        String key = "glance-" + UUID.randomUUID();
        String bucketMaker = uploaded(ferry, random(1), OWNER); // makes the bucket
        assertEquals(204, ferry.delete("/v2/images/" + bucketMaker, OWNER).status());
        try (S3Client c = raw()) {
            c.putObject(r -> r.bucket(BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(data));
        }
        String host = s3.endpoint().replace("http://", "");
        String glanceUrl = "s3://" + s3.accessKey() + ":" + s3.secretKey() + "@" + host + "/" + BUCKET + "/" + key;
        String shown = "s3://***@" + host + "/" + BUCKET + "/" + key;
        String id = create(ferry, SERVICE);
        var r = ferry.postJson("/v2/images/" + id + "/locations", "{\"url\":\"" + glanceUrl + "\"}", SERVICE);
        assertEquals(202, r.status(), r.text());
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "active".equals(show(ferry, id).get("status")
                .asText()) && !show(ferry, id).get("os_hash_value").isNull());
        var img = ferry.get("/v2/images/" + id, ADMIN);
        assertEquals(shown, img.json().get("direct_url").asText());
        assertEquals(shown, img.json().get("locations").get(0).get("url").asText());
        assertFalse(img.text().contains(s3.secretKey()), img.text());
        var locs = ferry.get("/v2/images/" + id + "/locations", SERVICE);
        assertEquals(shown, locs.json().get(0).get("url").asText());
        assertFalse(locs.text().contains(s3.secretKey()));
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());

        // the list as shown, sent back with new metadata, keeps the location (and its data)
        var patched = ferry.patch("/v2/images/" + id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":"
                + "[{\"url\":\"" + shown + "\",\"metadata\":{\"a\":\"b\"}}]}]", ADMIN);
        assertEquals(200, patched.status(), patched.text());
        assertEquals("b", patched.json().get("locations").get(0).get("metadata").get("a").asText());
        assertEquals(shown, patched.json().get("locations").get(0).get("url").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().contains(key), "deleted through the store's own credentials");
    }

    @Test
    void glanceDirectStreamsItsStagedDataIntoS3AndEmptiesStaging() {
        byte[] data = random(11 * MIB + 3);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/stage", data, OWNER).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"glance-direct\"},"
                + "\"stores\":[\"s3\"]}", OWNER);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "s3");
        assertEquals("active", img.get("status").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertFalse(java.nio.file.Files.exists(ferry.dir().resolve("staging").resolve(id)), "staging emptied");
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
    }

    @Test
    void copyImageBetweenRbdAndS3BothWays() {
        byte[] data = random(7 * MIB + 1);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", data, concat(OWNER, "X-Image-Meta-Store",
                "ceph")).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"s3\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(ferry, id, "ceph,s3");
        assertEquals(204, ferry.delete("/v2/stores/ceph/" + id, ADMIN).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
        r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"ceph\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "s3,ceph");
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(204, ferry.delete("/v2/stores/s3/" + id, ADMIN).status());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from rbd alone");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void anS3LocationIsForAdminsAndServicesOnlyWhateverKeysItNames() {
        String[] other = as("proj-other", "member,reader");
        String secret = uploaded(ferry, random(1000), other); // another project's private image
        String host = s3.endpoint().replace("http://", "");
        String id = create(ferry, OWNER);
        for (String url : new String[]{"s3://" + host + "/" + BUCKET + "/" + secret,
                "s3://any:thing@" + host + "/" + BUCKET + "/" + secret}) { // the store's own keys read either
            var r = ferry.patch("/v2/images/" + id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":"
                    + "{\"url\":\"" + url + "\",\"metadata\":{}}}]", OWNER);
            assertEquals(400, r.status(), r.text());
            assertTrue(r.text().contains("may be registered by an admin or a service only"), r.text());
        }
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertEquals(204, ferry.delete("/v2/images/" + secret, other).status());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
    }

    @Test
    void discoveryShowsTheS3StoreWithoutItsKeys() {
        var r = ferry.get("/v2/info/stores/detail", ADMIN);
        assertEquals(200, r.status(), r.text());
        JsonNode store = r.json().get("stores").get(0);
        assertEquals("s3", store.get("id").asText());
        assertEquals("s3", store.get("type").asText());
        assertEquals("radosgw", store.get("description").asText());
        JsonNode p = store.get("properties");
        assertEquals(100L * MIB, p.get("s3_store_large_object_size").asLong());
        assertEquals(5L * MIB, p.get("s3_store_large_object_chunk_size").asLong());
        assertEquals(3, p.get("s3_store_thread_pools").asInt());
        assertFalse(r.text().contains(s3.secretKey()));
        assertFalse(r.text().contains(s3.accessKey()));
    }
}
