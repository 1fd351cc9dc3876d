package org.ferry.api;

import org.ferry.data.ImageFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.traces;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PUT /v2/images/{id}/stage (glance-direct's first half). */
class StageTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();

    private static TestFerry.TestResponse stage(String id, byte[] data, String... headers) {
        return ferry.putData("/v2/images/" + id + "/stage", data, headers);
    }

    private static Path staging() {
        return storeDir(ferry, "staging");
    }

    private static void assertQueuedAndNothingStaged(String id) {
        JsonNode img = show(ferry, id);
        assertEquals("queued", img.get("status").asText());
        assertTrue(img.get("size").isNull(), img.toString());
        assertEquals(List.of(), traces(staging(), id));
        for (String store : List.of("fast", "cheap")) {
            assertEquals(List.of(), traces(storeDir(ferry, store), id), store);
        }
    }

    @Test
    void stagingKeepsTheBytesAndRecordsOnlyTheSize() throws IOException {
        byte[] data = random(700_001);
        String id = create(ferry);
        var r = stage(id, data);
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        JsonNode img = show(ferry, id);
        assertEquals("uploading", img.get("status").asText());
        assertEquals(data.length, img.get("size").asLong());
        assertTrue(img.get("checksum").isNull(), "no checksum at stage time");
        assertTrue(img.get("os_hash_value").isNull(), "no hash at stage time");
        assertArrayEquals(data, Files.readAllBytes(staging().resolve(id)));
        assertEquals(List.of(), traces(storeDir(ferry, "fast"), id));
        assertEquals(204, ferry.get("/v2/images/" + id + "/file").status(), "staged data is not image data");
    }

    @Test
    void formatsAreNotNeededToStage() {
        String id = ImageFixtures.createWith(ferry, "{}");
        assertEquals(204, stage(id, random(10)).status());
        assertEquals("uploading", show(ferry, id).get("status").asText());
    }

    @Test
    void stagingAgainIs409AndKeepsTheFirstData() throws IOException {
        byte[] first = random(1000);
        String id = create(ferry);
        assertEquals(204, stage(id, first).status());
        var r = stage(id, random(2000));
        assertEquals(409, r.status(), r.text());
        assertArrayEquals(first, Files.readAllBytes(staging().resolve(id)));
        JsonNode img = show(ferry, id);
        assertEquals("uploading", img.get("status").asText());
        assertEquals(1000, img.get("size").asLong());
    }

    @Test
    void leftoverStagedDataIs409AndIsKept() throws IOException {
        String id = create(ferry);
        Files.createDirectories(staging());
        Files.writeString(staging().resolve(id), "left behind");
        var r = stage(id, random(100));
        assertEquals(409, r.status(), r.text());
        assertTrue(r.text().contains("The image " + id + " has data on staging"), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertEquals("left behind", Files.readString(staging().resolve(id)));
        Files.delete(staging().resolve(id));
        assertEquals(List.of(), traces(staging(), id), "no partial write left");
    }

    @Test
    void wrongContentTypeIs415() {
        String id = create(ferry);
        var r = ferry.call("PUT", "/v2/images/" + id + "/stage", "text/plain", "x".getBytes());
        assertEquals(415, r.status(), r.text());
        assertQueuedAndNothingStaged(id);
    }

    @Test
    void badSizeHeaderIs400() {
        String id = create(ferry);
        var r = stage(id, random(10), "x-openstack-image-size", "ten");
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("Invalid or missing image size in request headers."), r.text());
        assertQueuedAndNothingStaged(id);
    }

    @Test
    void sizeMismatchIs400AndRemovesTheStagedData() {
        String id = create(ferry);
        assertEquals(400, stage(id, random(1000), "x-openstack-image-size", "999").status());
        assertQueuedAndNothingStaged(id);
        assertEquals(400, stage(id, random(1000), "x-openstack-image-size", "1001").status());
        assertQueuedAndNothingStaged(id);
        assertEquals(204, stage(id, random(1000), "x-openstack-image-size", "1000").status());
    }

    @Test
    void anImageThatIsNotQueuedIs409() {
        String id = ImageFixtures.uploaded(ferry, random(100));
        var r = stage(id, random(100));
        assertEquals(409, r.status(), r.text());
        assertEquals("active", show(ferry, id).get("status").asText());
        assertEquals(List.of(), traces(staging(), id));
    }

    @Test
    void uploadingToFileAfterStagingIs409() {
        String id = create(ferry);
        assertEquals(204, stage(id, random(100)).status());
        assertEquals(409, ferry.putData("/v2/images/" + id + "/file", random(100)).status());
        assertEquals("uploading", show(ferry, id).get("status").asText());
    }

    @Test
    void anotherProjectsImageIs404AndAReaderIs403() {
        String id = ImageFixtures.createWith(ferry, ImageFixtures.FORMATS, as("proj-s", "member,reader"));
        assertEquals(404, stage(id, random(10), as("proj-t", "member,reader")).status());
        assertEquals(403, stage(id, random(10), as("proj-s", "reader")).status());
        assertQueuedAndNothingStaged(id);
        assertEquals(204, stage(id, random(10), as("proj-s", "member,reader")).status());
    }

    @Test
    void deletingAStagedImageRemovesTheStagedData() {
        String id = create(ferry);
        assertEquals(204, stage(id, random(100)).status());
        assertEquals(204, ferry.delete("/v2/images/" + id).status());
        assertFalse(Files.exists(staging().resolve(id)));
    }

    @Test
    void aClientThatDisconnectsMidStageLeavesAQueuedImageAndNoStagedFile() {
        String id = create(ferry);
        ImageFixtures.abortedPut(ferry, "/v2/images/" + id + "/stage", id, 10L << 20, 1 << 20, "uploading");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertQueuedAndNothingStaged(id));
        assertEquals(204, stage(id, random(10)).status(), "the image can be staged again");
    }
}
