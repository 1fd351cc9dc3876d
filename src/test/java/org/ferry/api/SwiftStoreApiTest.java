package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestS3;
import org.ferry.testing.TestSwift;
import org.ferry.testing.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 * The API over a swift store on the Swift lab ({@code swift:swift} the default, beside {@code fast:file} and
 * {@code s3:s3} on the Ceph lab's radosgw), with a 4 MiB large-object size and 2 MiB segments so that a few MiB
 * already take the segmented path: upload, download with Range and Content-MD5, direct_url, web-download,
 * glance-direct, copy-image between swift and file and between swift and s3, a failed upload, the discovery API, a
 * location in Glance's form (with the account's key in it), and no key anywhere.
 */
class SwiftStoreApiTest {
    private static final String[] OWNER = as("proj-o", "member,reader");
    private static final String[] ADMIN = as("admin", "admin,member,reader");
    private static final String[] SERVICE = as("proj-o", "member,reader,service");
    private static final int MIB = 1 << 20;
    private static final String CONTAINER = "ferry-api-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String BUCKET = "ferry-api-" + UUID.randomUUID().toString().substring(0, 8);
    private static TestSwift swift;
    private static TestS3 s3;

    @RegisterExtension
    static final WebServer web = WebServer.started();

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        swift = TestSwift.lab();
        s3 = TestS3.lab();
        TestFerry.section(c, "import_filtering_opts").put("allowed_ports", "[]");
        TestFerry.section(c, "DEFAULT").putAll(java.util.Map.of("enabled_backends", "swift:swift, fast:file, s3:s3",
                "show_image_direct_url", "True", "show_multiple_locations", "True",
                "image_size_cap", Integer.toString(32 * MIB)));
        TestFerry.section(c, "glance_store").put("default_backend", "swift");
        var section = TestFerry.section(c, "swift");
        for (String line : swift.inlineOptions()) {
            String[] kv = line.split(" = ", 2);
            section.put(kv[0], kv[1]);
        }
        section.putAll(java.util.Map.of("swift_store_container", CONTAINER, "swift_store_create_container_on_put",
                "True", "swift_store_large_object_size", "4", "swift_store_large_object_chunk_size", "2",
                "store_description", "swift lab"));
        TestFerry.section(c, "s3").putAll(java.util.Map.of("s3_store_host", s3.endpoint(), "s3_store_access_key",
                s3.accessKey(), "s3_store_secret_key", s3.secretKey(), "s3_store_bucket", BUCKET,
                "s3_store_create_bucket_on_put", "True", "s3_store_large_object_chunk_size", "5"));
    });

    private static List<String> objects() {
        try {
            return swift.raw().list(CONTAINER);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterAll
    static void noLeftoversThenRemoveTheContainerAndBucket() throws IOException {
        if (swift == null) {
            return;
        }
        List<String> left = objects();
        swift.raw().removeContainer(CONTAINER);
        try (var c = s3.client()) {
            c.listObjectsV2Paginator(r -> r.bucket(BUCKET)).contents().forEach(o -> c.deleteObject(r ->
                    r.bucket(BUCKET).key(o.key())));
            c.deleteBucket(r -> r.bucket(BUCKET));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException ignored) {
            // never made
        }
        assertEquals(List.of(), left, "objects or segments left behind");
    }

    private static List<String> segmentsOf(String id) {
        return objects().stream().filter(n -> n.startsWith(id + "-")).toList();
    }

    @Test
    void uploadWritesSegmentsAndAManifestAndDownloadServesItWithRangeAndContentMd5() {
        byte[] data = random(9 * MIB + 77); // five segments
        String id = uploaded(ferry, data, OWNER);
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals("swift", img.get("stores").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals("swift+config://ref1/" + CONTAINER + "/" + id, img.get("direct_url").asText());
        assertFalse(img.toString().contains(swift.key()), "no key in the image");
        assertEquals(5, segmentsOf(id).size());

        var full = ferry.get("/v2/images/" + id + "/file", OWNER);
        assertEquals(200, full.status());
        assertArrayEquals(data, full.body());
        assertEquals(md5(data), full.header("Content-MD5"));
        var part = ferry.get("/v2/images/" + id + "/file", concat(OWNER, "Range", "bytes=2097140-6291500"));
        assertEquals(206, part.status(), part.text());
        assertArrayEquals(Arrays.copyOfRange(data, 2097140, 6291501), part.body());

        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().stream().anyMatch(n -> n.startsWith(id)), "manifest and segments went with the image");
    }

    @Test
    void aFailedUploadLeavesNoSegments() {
        String id = create(ferry, OWNER);
        var r = ferry.putData("/v2/images/" + id + "/file", random(32 * MIB + 1), OWNER);
        assertEquals(413, r.status(), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertFalse(objects().stream().anyMatch(n -> n.startsWith(id)));
    }

    @Test
    void webDownloadStreamsIntoSwift() {
        byte[] data = random(5 * MIB + 1);
        web.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/swift-image.raw").willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withBody(data)));
        String id = create(ferry, OWNER);
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"web-download\",\"uri\":\""
                + web.baseUrl() + "/swift-image.raw\"},\"stores\":[\"swift\"]}", OWNER);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "swift");
        assertEquals("active", img.get("status").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().stream().anyMatch(n -> n.startsWith(id)));
    }

    @Test
    void glanceDirectStreamsItsStagedDataIntoSwiftAndEmptiesStaging() {
        byte[] data = random(7 * MIB + 3);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/stage", data, OWNER).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"glance-direct\"},"
                + "\"stores\":[\"swift\"]}", OWNER);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "swift");
        assertEquals("active", img.get("status").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertFalse(java.nio.file.Files.exists(ferry.dir().resolve("staging").resolve(id)), "staging emptied");
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
    }

    @Test
    void copyImageBetweenFileSwiftAndS3() {
        byte[] data = random(6 * MIB + 9);
        String id = create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", data, concat(OWNER, "X-Image-Meta-Store",
                "fast")).status());
        var r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"swift\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(ferry, id, "fast,swift");
        assertEquals(204, ferry.delete("/v2/stores/fast/" + id, ADMIN).status());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from swift alone");
        r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"s3\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        awaitImport(ferry, id, "swift,s3");
        assertEquals(204, ferry.delete("/v2/stores/swift/" + id, ADMIN).status());
        assertFalse(objects().stream().anyMatch(n -> n.startsWith(id)));
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body(), "served from s3 alone");
        r = ferry.postJson("/v2/images/" + id + "/import", "{\"method\":{\"name\":\"copy-image\"},"
                + "\"stores\":[\"swift\"]}", ADMIN);
        assertEquals(202, r.status(), r.text());
        JsonNode img = awaitImport(ferry, id, "s3,swift");
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(4, segmentsOf(id).size(), "an s3 source tells its size: 6 MiB is segmented above 4 MiB");
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().stream().anyMatch(n -> n.startsWith(id)));
    }

    @Test
    void aLocationInGlancesFormIsServedButItsKeyIsNeverShown() throws IOException {
        byte[] data = random(2 * MIB + 5);
        String object = UUID.randomUUID().toString();
        String maker = uploaded(ferry, random(1), OWNER); // makes the container
        assertEquals(204, ferry.delete("/v2/images/" + maker, OWNER).status());
        swift.raw().put(CONTAINER, object, data);
        String address = swift.authUrl().replace("http://", "");
        String glanceUrl = "swift+http://" + URLEncoder.encode(swift.user(), StandardCharsets.UTF_8) + ":"
                + swift.key() + "@" + address + "/" + CONTAINER + "/" + object;
        String shown = "swift+http://***@" + address + "/" + CONTAINER + "/" + object;
        String id = create(ferry, SERVICE);
        var r = ferry.postJson("/v2/images/" + id + "/locations", "{\"url\":\"" + glanceUrl + "\"}", SERVICE);
        assertEquals(202, r.status(), r.text());
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "active".equals(show(ferry, id).get("status")
                .asText()) && !show(ferry, id).get("os_hash_value").isNull());
        var img = ferry.get("/v2/images/" + id, ADMIN);
        assertEquals(shown, img.json().get("direct_url").asText());
        assertEquals(shown, img.json().get("locations").get(0).get("url").asText());
        assertFalse(img.text().contains(swift.key()), img.text());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());
        assertEquals(204, ferry.delete("/v2/images/" + id, OWNER).status());
        assertFalse(objects().contains(object), "deleted with the location's credentials");
    }

    @Test
    void aLocationReadWithTheStoresOwnAccountIsForAdminsAndServicesOnly() {
        byte[] data = random(1000);
        String secret = uploaded(ferry, data, as("proj-other", "member,reader")); // another project's private image
        String url = "swift+config://ref1/" + CONTAINER + "/" + secret;
        String id = create(ferry, OWNER);
        var r = ferry.patch("/v2/images/" + id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\""
                + url + "\",\"metadata\":{}}}]", OWNER);
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("may be registered by an admin or a service only"), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertEquals(404, ferry.get("/v2/images/" + secret, OWNER).status(), "and the image itself stays hidden");
        r = ferry.patch("/v2/images/" + id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\""
                + url + "\",\"metadata\":{}}}]", ADMIN);
        assertEquals(200, r.status(), r.text());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", ADMIN).body(), "an admin may share data");
        assertEquals(204, ferry.delete("/v2/images/" + secret, as("proj-other", "member,reader")).status());
    }

    @Test
    void discoveryShowsTheSwiftStoreAsGlanceWithoutItsKey() {
        var r = ferry.get("/v2/info/stores/detail", ADMIN);
        assertEquals(200, r.status(), r.text());
        JsonNode store = r.json().get("stores").get(0);
        assertEquals("swift", store.get("id").asText());
        assertEquals("swift", store.get("type").asText());
        assertEquals("swift lab", store.get("description").asText());
        JsonNode p = store.get("properties");
        assertEquals(CONTAINER, p.get("container").asText());
        assertEquals(4L * MIB, p.get("large_object_size").asLong());
        assertEquals(2L * MIB, p.get("large_object_chunk_size").asLong());
        assertFalse(r.text().contains(swift.key()));
        assertTrue(r.text().contains("\"default\""));
    }
}
