package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.interop.Lab.Digests;
import org.ferry.interop.Lab.RandomData;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;


import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * glance-download both ways between real Glance (RegionOne, its default store) and Ferry's s3 store on the Ceph lab's
 * radosgw, with the real Keystone's tokens: the bytes reach S3 in one pass, and come out of it for Glance.
 */
@Tag("interop")
class S3InteropTest {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final String BUCKET = "ferry-interop-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static TestS3 s3;
    static final Lab.MadeImages made = new Lab.MadeImages();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        s3 = TestS3.lab();
        ferry = lab.startFerry(work, c -> {
            TestFerry.section(c, "DEFAULT").merge("enabled_backends", "s3:s3", (a, b) -> b + ", " + a);
            TestFerry.section(c, "s3").putAll(Map.of("s3_store_host", s3.endpoint(), "s3_store_access_key",
                    s3.accessKey(), "s3_store_secret_key", s3.secretKey(), "s3_store_bucket", BUCKET,
                    "s3_store_create_bucket_on_put", "True", "store_description", "radosgw of RegionThree"));
        });
    }

    @AfterAll
    static void stop() {
        try {
            deleteImages();
        } finally {
            if (s3 != null) {
                // every image was deleted through the API, so the bucket must be empty: anything found is a leak
                List<String> left = s3.removeBucket(BUCKET);
                assertEquals(List.of(), left, "objects or uploads left in bucket " + BUCKET);
            }
        }
    }

    private static void deleteImages() {
        made.deleteAll(lab);
        if (ferry != null) {
            ferry.close();
        }
    }

    static String create(String base, Token token, String name) {
        return made.raw(lab, base, token, name);
    }

    @Test
    void ferryGlanceDownloadsFromRealGlanceIntoItsS3Store() throws Exception {
        RandomData data = new RandomData(41, 23L * 1024 * 1024 + 11); // three parts of 10 MiB
        Digests expected = data.digests();
        Token demo = lab.demo();
        String glance = lab.glanceOne();
        String source = create(glance, demo, "interop-glance-s3-source");
        lab.call("PUT", glance + "/v2/images/" + source + "/file", demo, data.body()).expect(204, "upload to Glance");
        JsonNode src = lab.waitImage(glance, demo, source, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        String ferryUrl = ferry.url();
        String id = create(ferryUrl, demo, "interop-ferry-s3-dest");
        lab.postJson(ferryUrl + "/v2/images/" + id + "/import", demo, Map.of("method", Map.of("name",
                        "glance-download", "glance_image_id", source, "glance_region", "RegionOne",
                        "glance_service_interface", "public"), "stores", List.of("s3")))
                .expect(202, "glance-download into Ferry's s3 store");
        lab.waitTasksFinished(ferryUrl, demo, id, TIMEOUT);
        JsonNode img = lab.image(ferryUrl, demo, id);
        assertEquals("active", img.path("status").asText(), img.toString());
        assertEquals("s3", img.path("stores").asText(), img.toString());
        assertEquals(src.path("os_hash_value").asText(), img.path("os_hash_value").asText());
        assertEquals(expected, lab.download(ferryUrl + "/v2/images/" + id + "/file", demo).digests());
    }

    @Test
    void realGlanceGlanceDownloadsFromFerrysS3Store() throws Exception {
        RandomData data = new RandomData(42, 12L * 1024 * 1024 + 5);
        Digests expected = data.digests();
        Token demo = lab.demo();
        String ferryUrl = ferry.url();
        String source = create(ferryUrl, demo, "interop-ferry-s3-source");
        lab.call("PUT", ferryUrl + "/v2/images/" + source + "/file", demo, data.body(), "X-Image-Meta-Store", "s3")
                .expect(204, "upload into Ferry's s3 store");
        JsonNode src = lab.waitImage(ferryUrl, demo, source, TIMEOUT, "active",
                i -> i.path("status").asText().equals("active"));
        assertEquals("s3", src.path("stores").asText(), src.toString());
        String glance = lab.glanceOne();
        String id = create(glance, demo, "interop-glance-from-s3");
        lab.postJson(glance + "/v2/images/" + id + "/import", demo, Map.of("method", Map.of("name",
                        "glance-download", "glance_image_id", source, "glance_region", "RegionThree",
                        "glance_service_interface", "public")))
                .expect(202, "glance-download into Glance");
        JsonNode img = lab.waitImage(glance, demo, id, TIMEOUT, "active or failed",
                i -> i.path("status").asText().equals("active") || !i.path("os_glance_failed_import").asText().isEmpty());
        assertEquals("active", img.path("status").asText(), img + "\ntasks: "
                + lab.get(glance + "/v2/images/" + id + "/tasks", demo).body());
        assertEquals(src.path("os_hash_value").asText(), img.path("os_hash_value").asText());
        assertEquals(expected, lab.download(glance + "/v2/images/" + id + "/file", demo).digests());
    }
}
