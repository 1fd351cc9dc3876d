package org.ferry.api;

import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.Arrays;

import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /v2/images/{id}/file: whole image, single ranges, store preference and the refusals. */
class DownloadTest {
    private static final byte[] DATA = random((1 << 20) + 7);

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static String image;
    static int size = DATA.length;

    @BeforeAll
    static void start() {
        image = uploaded(ferry, DATA);
    }

    private static TestFerry.TestResponse get(String... headers) {
        return ferry.get("/v2/images/" + image + "/file", headers);
    }

    private static void assertPartial(TestFerry.TestResponse r, int from, int to) {
        assertEquals(206, r.status(), r.text());
        assertEquals("bytes " + from + "-" + to + "/" + size, r.header("Content-Range"));
        assertNull(r.header("Content-MD5"), "no whole-image Content-MD5 on a partial response (Glance GAP 20)");
        assertEquals(String.valueOf(to - from + 1), r.header("Content-Length"));
        assertEquals("application/octet-stream", r.header("Content-Type"));
        assertArrayEquals(Arrays.copyOfRange(DATA, from, to + 1), r.body());
    }

    @Test
    void queuedImageIs204WithNoBody() {
        String id = create(ferry);
        var r = ferry.get("/v2/images/" + id + "/file");
        assertEquals(204, r.status());
        assertEquals(0, r.body().length);
    }

    @Test
    void wholeImageWithHexContentMd5() {
        var r = get();
        assertEquals(200, r.status());
        assertEquals("application/octet-stream", r.header("Content-Type"));
        assertEquals(String.valueOf(size), r.header("Content-Length"));
        assertEquals(md5(DATA), r.header("Content-MD5"));
        assertEquals(show(ferry, image).get("checksum").asText(), r.header("Content-MD5"));
        assertArrayEquals(DATA, r.body());
        assertTrue(r.header("x-openstack-request-id").startsWith("req-"));
    }

    @Test
    void emptyImage() {
        String id = uploaded(ferry, new byte[0]);
        var r = ferry.get("/v2/images/" + id + "/file");
        assertEquals(200, r.status());
        assertEquals("0", r.header("Content-Length"));
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", r.header("Content-MD5"));
        assertEquals(0, r.body().length);
    }

    @Test
    void closedRange() {
        assertPartial(get("Range", "bytes=10-99"), 10, 99);
        assertPartial(get("Range", "bytes=0-0"), 0, 0);
        assertPartial(get("Range", "bytes=" + (size - 1) + "-" + (size - 1)), size - 1, size - 1);
    }

    @Test
    void rangeEndPastTheImageIsClamped() {
        assertPartial(get("Range", "bytes=" + (size - 10) + "-" + (size + 1000)), size - 10, size - 1);
    }

    @Test
    void openEndedRange() {
        assertPartial(get("Range", "bytes=1000-"), 1000, size - 1);
    }

    @Test
    void suffixRange() {
        assertPartial(get("Range", "bytes=-100"), size - 100, size - 1);
    }

    @Test
    void legacyContentRangeRequestHeader() {
        assertPartial(get("Content-Range", "bytes 5-14/" + size), 5, 14);
    }

    @Test
    void multiRangeIs400() {
        var r = get("Range", "bytes=0-1,5-9");
        assertEquals(400, r.status(), r.text());
        assertNull(r.header("Content-MD5"));
    }

    @Test
    void startAtOrPastTheEndIs416() {
        var r = get("Range", "bytes=" + size + "-");
        assertEquals(416, r.status(), r.text());
        assertEquals("bytes */" + size, r.header("Content-Range"));
        assertNull(r.header("Content-MD5"));
        assertEquals(416, get("Range", "bytes=" + (size + 5) + "-" + (size + 10)).status());
    }

    @Test
    void garbageRangeIs416() {
        assertEquals(416, get("Range", "bytes=x-y").status());
        assertEquals(416, get("Range", "pages=1-2").status());
        assertEquals(416, get("Range", "bytes=9-3").status());
    }

    @Test
    void preferringAStoreThatDoesNotHoldTheImageStillServesIt() {
        var r = ferry.get("/v2/images/" + image + "/file?prefer=cheap");
        assertEquals(200, r.status(), r.text());
        assertArrayEquals(DATA, r.body());
    }

    @Test
    void preferPicksTheCopyToRead() throws Exception {
        byte[] data = random(4096);
        String id = uploaded(ferry, data);
        ImageFixtures.addCopy(ferry, id, "fast", "cheap");
        // mark the cheap copy so the test can tell which store served the bytes
        byte[] marked = data.clone();
        marked[0] ^= 0x55;
        Files.write(storeDir(ferry, "cheap").resolve(id), marked);
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body(), "location order: fast first");
        assertArrayEquals(marked, ferry.get("/v2/images/" + id + "/file?prefer=cheap").body());
        assertArrayEquals(marked, ferry.get("/v2/images/" + id + "/file?prefer=cheap,fast").body());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file?prefer=fast,cheap").body());
    }

    @Test
    void preferringAnUnknownStoreIs400() {
        var r = ferry.get("/v2/images/" + image + "/file?prefer=nope");
        assertEquals(400, r.status(), r.text());
        assertEquals(400, ferry.get("/v2/images/" + image + "/file?prefer=fast,nope").status());
    }

    @Test
    void deactivatedImageIsForbiddenToNonAdmins() {
        String id = uploaded(ferry, random(100), as("proj-d", "member,reader"));
        assertEquals(204, ferry.postJson("/v2/images/" + id + "/actions/deactivate", "").status());
        try {
            var r = ferry.get("/v2/images/" + id + "/file", as("proj-d", "member,reader"));
            assertEquals(403, r.status(), r.text());
            assertTrue(r.text().contains("The requested image has been deactivated. Image data download is forbidden."),
                    r.text());
            assertEquals(200, ferry.get("/v2/images/" + id + "/file").status(), "an admin may");
        } finally {
            assertEquals(204, ferry.postJson("/v2/images/" + id + "/actions/reactivate", "").status());
        }
        assertEquals(200, ferry.get("/v2/images/" + id + "/file", as("proj-d", "member,reader")).status());
    }

    @Test
    void aReaderCannotDownload() {
        String id = uploaded(ferry, random(100), as("proj-r", "member,reader"));
        assertEquals(403, ferry.get("/v2/images/" + id + "/file", as("proj-r", "reader")).status());
        assertEquals(200, ferry.get("/v2/images/" + id + "/file", as("proj-r", "member")).status());
    }

    @Test
    void anotherProjectsPrivateImageIs404ButAPublicOneCanBeRead() {
        String id = uploaded(ferry, random(100), as("proj-p", "member,reader"));
        var r = ferry.get("/v2/images/" + id + "/file", as("proj-q", "member,reader"));
        assertEquals(404, r.status());
        assertEquals(200, ferry.patch("/v2/images/" + id, "[{\"op\":\"replace\",\"path\":\"/visibility\","
                + "\"value\":\"public\"}]").status());
        assertEquals(200, ferry.get("/v2/images/" + id + "/file", as("proj-q", "member,reader")).status());
        assertEquals(404, ferry.get("/v2/images/9d0c0c2a-0000-4000-8000-000000000000/file").status());
    }
}
