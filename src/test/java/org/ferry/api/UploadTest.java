package org.ferry.api;

import org.ferry.data.ImageFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.status;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.traces;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PUT /v2/images/{id}/file against a real Ferry (file stores fast = default and cheap, read-only http store web). */
class UploadTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").put("enabled_backends", "fast:file, cheap:file, web:http"));

    private static TestFerry.TestResponse put(String id, byte[] data, String... headers) {
        return ferry.putData("/v2/images/" + id + "/file", data, headers);
    }

    /** Queued again with no size or hashes, and no file (nor temporary part) of the image in any store. */
    private static void assertBackToQueuedWithNoData(String id) {
        JsonNode img = show(ferry, id);
        assertEquals("queued", img.get("status").asText());
        assertTrue(img.get("size").isNull());
        assertTrue(img.get("checksum").isNull());
        assertTrue(img.get("os_hash_value").isNull());
        assertFalse(img.has("stores"), img.toString());
        for (String store : List.of("fast", "cheap", "staging")) {
            assertEquals(List.of(), traces(storeDir(ferry, store), id), store);
        }
    }

    @Test
    void uploadMakesTheImageActiveWithLocallyComputedDigests() throws IOException {
        byte[] data = random(300 * 1024 + 11);
        String id = create(ferry);
        var r = put(id, data);
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        assertTrue(r.header("x-openstack-request-id").startsWith("req-"));
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals(data.length, img.get("size").asLong());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals("sha512", img.get("os_hash_algo").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals("fast", img.get("stores").asText());
        assertArrayEquals(data, Files.readAllBytes(storeDir(ferry, "fast").resolve(id)));
        assertEquals(List.of(), traces(storeDir(ferry, "cheap"), id));
        assertEquals(List.of(id), traces(storeDir(ferry, "fast"), id));
    }

    @Test
    void emptyUploadIsAValidImage() {
        String id = create(ferry);
        assertEquals(204, put(id, new byte[0]).status());
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals(0, img.get("size").asLong());
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", img.get("checksum").asText());
    }

    @Test
    void storeHeaderPicksTheStore() throws IOException {
        byte[] data = random(5000);
        String id = create(ferry);
        assertEquals(204, put(id, data, "X-Image-Meta-Store", "cheap").status());
        assertEquals("cheap", show(ferry, id).get("stores").asText());
        assertArrayEquals(data, Files.readAllBytes(storeDir(ferry, "cheap").resolve(id)));
        assertEquals(List.of(), traces(storeDir(ferry, "fast"), id));
    }

    @Test
    void unknownStoreIs400AndTheImageStaysQueued() {
        String id = create(ferry);
        var r = put(id, random(100), "X-Image-Meta-Store", "nope");
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("nope"), r.text());
        assertBackToQueuedWithNoData(id);
    }

    @Test
    void reservedStagingStoreIsNotATarget() {
        String id = create(ferry);
        assertEquals(400, put(id, random(100), "X-Image-Meta-Store", "os_glance_staging_store").status());
        assertBackToQueuedWithNoData(id);
    }

    @Test
    void aReadOnlyStoreIs410() {
        String id = create(ferry);
        var r = put(id, random(100), "X-Image-Meta-Store", "web");
        assertEquals(410, r.status(), r.text());
        assertTrue(r.text().contains("Adding images to store is disabled."), r.text());
        assertBackToQueuedWithNoData(id);
        String active = ImageFixtures.uploaded(ferry, random(10));
        assertEquals(409, put(active, random(10), "X-Image-Meta-Store", "web").status(), "status is checked first");
    }

    @Test
    void anImageDeletedDuringItsUploadIs410AndItsDataIsRemoved() throws Exception {
        String id = create(ferry);
        URI u = URI.create(ferry.url());
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + (2 << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(1 << 20));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> "saving".equals(status(ferry, id)));
            assertEquals(204, ferry.delete("/v2/images/" + id).status());
            out.write(random(1 << 20));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 410"), response);
        }
        assertEquals(404, ferry.get("/v2/images/" + id).status());
        for (String store : List.of("fast", "cheap")) {
            assertEquals(List.of(), traces(storeDir(ferry, store), id), store);
        }
    }

    @Test
    void wrongOrMissingContentTypeIs415() {
        String id = create(ferry);
        var r = ferry.call("PUT", "/v2/images/" + id + "/file", "application/json", "{}".getBytes());
        assertEquals(415, r.status(), r.text());
        assertEquals(415, ferry.call("PUT", "/v2/images/" + id + "/file", null, new byte[10]).status());
        assertEquals(204, ferry.call("PUT", "/v2/images/" + id + "/file", "application/octet-stream; charset=x",
                new byte[10]).status());
    }

    @Test
    void badImageSizeHeaderIs400() {
        String id = create(ferry);
        for (String bad : new String[] {"abc", "1.5", "", "-1"}) {
            var r = put(id, random(10), "x-openstack-image-size", bad);
            assertEquals(400, r.status(), bad + ": " + r.text());
            assertTrue(r.text().contains("Invalid or missing image size in request headers."), r.text());
        }
        assertBackToQueuedWithNoData(id);
    }

    @Test
    void moreDataThanDeclaredIs400AndLeavesNothing() {
        String id = create(ferry);
        var r = put(id, random(5000), "x-openstack-image-size", "1000");
        assertEquals(400, r.status(), r.text());
        assertBackToQueuedWithNoData(id);
    }

    @Test
    void lessDataThanDeclaredIs400AndLeavesNothing() {
        String id = create(ferry);
        var r = put(id, random(1000), "x-openstack-image-size", "5000", "X-Image-Meta-Store", "cheap");
        assertEquals(400, r.status(), r.text());
        assertBackToQueuedWithNoData(id);
        var again = put(id, random(1000), "x-openstack-image-size", "1000");
        assertEquals(204, again.status(), "the image can be uploaded after a failed try: " + again.text());
        assertEquals(1000, show(ferry, id).get("size").asLong());
    }

    @Test
    void uploadToAnActiveImageIs409() {
        String id = ImageFixtures.uploaded(ferry, random(100));
        String checksum = show(ferry, id).get("checksum").asText();
        var r = put(id, random(200));
        assertEquals(409, r.status(), r.text());
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals(checksum, img.get("checksum").asText());
    }

    @Test
    void formatsMustBeSetFirst() {
        for (String body : new String[] {"{}", "{\"disk_format\":\"raw\"}", "{\"container_format\":\"bare\"}"}) {
            String id = ImageFixtures.createWith(ferry, body);
            var r = put(id, random(100));
            assertEquals(400, r.status(), r.text());
            assertTrue(r.text().contains("Properties disk_format, container_format must be set prior to saving data."),
                    r.text());
            assertBackToQueuedWithNoData(id);
        }
    }

    @Test
    void anotherProjectsImageIs404() {
        String id = create(ferry);
        var r = put(id, random(100), as("other-project", "member,reader"));
        assertEquals(404, r.status(), r.text());
        assertTrue(r.text().contains("No image found with ID " + id), r.text());
        assertBackToQueuedWithNoData(id);
    }

    @Test
    void unknownAndDeletedImagesAre404() {
        assertEquals(404, put("7f1e2d3c-0000-4000-8000-00000000dead", random(10)).status());
        String id = create(ferry);
        assertEquals(204, ferry.delete("/v2/images/" + id).status());
        assertEquals(404, put(id, random(10)).status());
    }

    @Test
    void aReaderMayNotUpload() {
        String id = ImageFixtures.createWith(ferry, ImageFixtures.FORMATS, as("proj-r", "member,reader"));
        var r = put(id, random(100), as("proj-r", "reader"));
        assertEquals(403, r.status(), r.text());
        assertBackToQueuedWithNoData(id);
        assertEquals(204, put(id, random(100), as("proj-r", "member,reader")).status(), "a member of the owner may");
    }

    @Test
    void chunkedUploadWithoutLengthWorks() throws IOException {
        byte[] data = random(2 * 1024 * 1024 + 5);
        String id = create(ferry);
        RequestBody chunked = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                for (int off = 0; off < data.length; off += 100_000) {
                    sink.write(data, off, Math.min(100_000, data.length - off));
                    sink.flush();
                }
            }
        };
        Request req = new Request.Builder().url(ferry.url() + "/v2/images/" + id + "/file").put(chunked).build();
        try (Response r = ferry.http().newCall(req).execute()) {
            assertEquals(204, r.code(), r.body().string());
        }
        JsonNode img = show(ferry, id);
        assertEquals(data.length, img.get("size").asLong());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
    }

    @Test
    void aClientThatDisconnectsMidUploadLeavesAQueuedImageAndNoFile() {
        String id = create(ferry);
        ImageFixtures.abortedPut(ferry, "/v2/images/" + id + "/file", id, 10L << 20, 1 << 20, "saving");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertBackToQueuedWithNoData(id));
        assertEquals("queued", status(ferry, id));
        assertEquals(204, put(id, random(10)).status(), "the image can be uploaded again");
    }
}
