package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.interop.Lab.Digests;
import org.ferry.interop.Lab.RandomData;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.file.Path;
import java.time.Duration;


import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ferry and real Glance side by side on one S3 bucket: Glance RegionOne has glance_store's s3 driver as store
 * {@code objects} on the Ceph lab's radosgw (openstack-lab.sh up --ceph-dir), Ferry (RegionThree) an s3 store
 * {@code objects} on the same endpoint, bucket and keys. An image either side wrote (as a multipart upload) is served
 * by the other through its location, and deleting it through the other side removes the object. Zed writes the
 * store's keys into its s3 locations; Ferry reads such a location but must never show the keys.
 */
@Tag("interop")
class S3SharedBucketInteropTest {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final String STORE = "objects";
    static final long MULTIPART = 40L * 1024 * 1024;   // both stores write 16 MiB and more in parts

    @TempDir
    static Path work;
    static Lab lab;
    static TestS3 s3;
    static String bucket;
    static TestFerry ferry;
    static final Lab.MadeImages made = new Lab.MadeImages();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        if (lab.glanceOneS3Store().isEmpty()) {
            String why = "the OpenStack lab was started without --ceph-dir: Glance RegionOne has no s3 store";
            if (System.getenv("CI") != null) {
                fail(why + " (CI is set, so this is fatal: .ci/run starts the lab with the Ceph lab's directory)");
            }
            Assumptions.abort(why);
        }
        s3 = TestS3.lab();
        bucket = lab.glanceOneS3Bucket();
        ferry = lab.startFerry(work, c -> {
            TestFerry.section(c, "DEFAULT").merge("enabled_backends", STORE + ":s3", (a, b) -> b + ", " + a);
            // the image view then shows locations and direct_url too: all of them must hide Glance's keys
            TestFerry.section(c, "DEFAULT").putAll(Map.of("show_multiple_locations", "True",
                    "show_image_direct_url", "True"));
            TestFerry.section(c, STORE).putAll(Map.of("s3_store_host", s3.endpoint(), "s3_store_access_key",
                    s3.accessKey(), "s3_store_secret_key", s3.secretKey(), "s3_store_bucket", bucket,
                    "s3_store_create_bucket_on_put", "True", "s3_store_large_object_size", "16",
                    "store_description", "radosgw of RegionThree, Glance RegionOne's bucket"));
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

    /** An active image in {@code base}'s s3 store, uploaded by the demo user; its object is in the shared bucket. */
    static JsonNode uploadedToS3(String base, RandomData data, String name) throws Exception {
        Token demo = lab.demo();
        String id = create(base, demo, name);
        lab.call("PUT", base + "/v2/images/" + id + "/file", demo, data.body(), "X-Image-Meta-Store", STORE)
                .expect(204, "upload into the s3 store of " + base);
        JsonNode img = lab.waitImage(base, demo, id, TIMEOUT, "active", i -> i.path("status").asText().equals("active"));
        assertEquals(STORE, img.path("stores").asText(), img.toString());
        HeadObjectResponse head = head(id).orElseGet(() -> fail("no object " + id + " in bucket " + bucket));
        assertEquals(data.size(), head.contentLength());
        // a multipart object's ETag is "<md5 of the part md5s>-<parts>"
        assertTrue(head.eTag().matches("\"?[0-9a-f]{32}-[0-9]+\"?"), "written as a multipart upload: " + head.eTag());
        return img;
    }

    static Optional<HeadObjectResponse> head(String key) {
        try (S3Client c = s3.client()) {
            return Optional.of(c.headObject(r -> r.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Fails when {@code text} holds the secret key, or the access key as the user part of a URL. */
    static void noCredentials(String text, String what) {
        assertFalse(text.contains(s3.secretKey()), what + " shows the secret key: " + text);
        assertFalse(text.contains(s3.accessKey() + ":"), what + " shows the access key: " + text);
    }

    @Test
    void ferryServesAndDeletesAnObjectRealGlanceWroteToS3() throws Exception {
        RandomData data = new RandomData(51, MULTIPART + 13);
        Digests expected = data.digests();
        JsonNode source = uploadedToS3(lab.glanceOne(), data, "interop-glance-s3-shared");
        String key = source.path("id").asText();
        assertEquals(expected.md5(), source.path("checksum").asText());
        Token admin = lab.admin();
        JsonNode locations = lab.image(lab.glanceOne(), admin, key).path("locations");
        assertEquals(1, locations.size(), locations.toString());
        String glanceUrl = locations.get(0).path("url").asText();
        String shared = s3.endpoint().replaceFirst("^https?://", "") + "/" + bucket + "/" + key;
        assertEquals("s3://" + s3.accessKey() + ":" + s3.secretKey() + "@" + shared, glanceUrl,
                "Zed's s3 location carries the store's keys");

        // Cinder's way in: a service registers Glance's location, keys and all, on a Ferry image
        Token service = lab.token("glance", "service");
        String ferryUrl = ferry.url();
        String id = lab.createImage(ferryUrl, service, Map.of("name", "interop-s3-shared-location", "disk_format",
                "raw", "container_format", "bare"));
        lab.postJson(ferryUrl + "/v2/images/" + id + "/locations", service, Map.of("url", glanceUrl,
                        "validation_data", Map.of("os_hash_algo", "sha512",
                        "os_hash_value", source.path("os_hash_value").asText())))
                .expect(202, "register Glance's s3 location in Ferry");
        JsonNode img = lab.waitImage(ferryUrl, service, id, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals(expected.size(), img.path("size").asLong(), img.toString());
        assertEquals(STORE, img.path("stores").asText(), img.toString());
        assertEquals(source.path("os_hash_value").asText(), img.path("os_hash_value").asText());
        Lab.Downloaded got = lab.download(ferryUrl + "/v2/images/" + id + "/file", service);
        assertEquals(200, got.status(), got.error());
        assertEquals(expected, got.digests(), "Ferry reads the object Glance wrote");

        // the keys never come back out of Ferry's API
        String shown = lab.get(ferryUrl + "/v2/images/" + id + "/locations", service).expect(200, "locations")
                .body();
        noCredentials(shown, "GET /locations");
        JsonNode listed = Lab.JSON.readTree(shown);
        assertEquals(1, listed.size(), shown);
        String url = listed.get(0).path("url").asText();
        assertTrue(url.equals("s3://***@" + shared) || url.equals("s3://" + shared), url);
        JsonNode view = lab.image(ferryUrl, admin, id);
        assertEquals(url, view.path("direct_url").asText(), view.toString());
        assertEquals(url, view.path("locations").path(0).path("url").asText(), view.toString());
        for (Token t : List.of(service, admin)) {
            noCredentials(lab.get(ferryUrl + "/v2/images/" + id, t).expect(200, "show image").body(), "image view");
            noCredentials(lab.get(ferryUrl + "/v2/images?id=" + id, t).expect(200, "list").body(), "image list");
            noCredentials(lab.get(ferryUrl + "/v2/images/" + id + "/tasks", t).expect(200, "tasks").body(),
                    "the image's tasks");
        }

        // deleting Ferry's image removes the data of its location: Glance's object
        lab.call("DELETE", ferryUrl + "/v2/images/" + id, service, null).expect(204, "delete through Ferry");
        assertEquals(Optional.empty(), head(key), "Ferry deleted the object Glance wrote");
        // Glance's image is deleted by the clean-up, which finds its object gone (Glance logs that and goes on)
    }

    @Test
    void realGlanceServesAndDeletesAnObjectFerryWroteToS3() throws Exception {
        RandomData data = new RandomData(52, MULTIPART + 29);
        Digests expected = data.digests();
        JsonNode source = uploadedToS3(ferry.url(), data, "interop-ferry-s3-shared");
        String key = source.path("id").asText();
        Token service = lab.token("glance", "service");
        JsonNode ferryLocations = lab.get(ferry.url() + "/v2/images/" + key + "/locations", service)
                .expect(200, "Ferry's locations").json();
        assertEquals(1, ferryLocations.size(), ferryLocations.toString());
        String ferryLocation = ferryLocations.get(0).path("url").asText();
        String shared = s3.endpoint().replaceFirst("^https?://", "") + "/" + bucket + "/" + key;
        assertEquals("s3://" + shared, ferryLocation, "Ferry writes its s3 locations without keys");

        // Zed's s3 driver connects with the keys of the location itself (none: boto3 finds no credentials), so the
        // location Glance gets is Ferry's in Glance's form; registered with Zed's legacy PATCH
        Token demo = lab.demo();
        String glance = lab.glanceOne();
        String id = create(glance, demo, "interop-glance-s3-shared-location");
        String glanceUrl = "s3://" + s3.accessKey() + ":" + s3.secretKey() + "@" + shared;
        lab.patch(glance + "/v2/images/" + id, demo, List.of(Map.of("op", "add", "path", "/locations/-",
                        "value", Map.of("url", glanceUrl, "metadata", Map.of()))))
                .expect(200, "add Ferry's s3 location to a Glance image");
        JsonNode img = lab.waitImage(glance, demo, id, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals(expected.size(), img.path("size").asLong(), img.toString());
        assertEquals(expected, lab.download(glance + "/v2/images/" + id + "/file", demo).digests(),
                "Glance reads the object Ferry wrote through its own s3 driver");

        // deleting Glance's image removes the data of its location: Ferry's object
        lab.call("DELETE", glance + "/v2/images/" + id, demo, null).expect(204, "delete through Glance");
        assertEquals(Optional.empty(), head(key), "Glance deleted the object Ferry wrote");
        // Ferry's image is deleted by the clean-up, which finds its object gone
    }
}
