package org.ferry.api;

import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per defect {@link BadInputTest} found: each request was a 500 or was accepted before the fix. */
class MalformedInputTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);

    private static RawHttp.Answer raw(String request, boolean halfClose) {
        return RawHttp.exchange(ferry.ferry().port(), request.getBytes(StandardCharsets.ISO_8859_1), halfClose, 10_000);
    }

    private static String text(RawHttp.Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aJsonBodyCutShortIs400() {
        RawHttp.Answer a = raw("POST /v2/images HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":", true);
        assertEquals(400, a.status(), a.head() + text(a));
        assertTrue(text(a).contains("The request body could not be read"), text(a));
    }

    @Test
    void anUploadCutShortIs400AndLeavesTheImageQueuedWithoutData() throws Exception {
        String id = admin.createRaw("");
        RawHttp.Answer a = raw("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n0123456789", true);
        assertEquals(400, a.status(), a.head() + text(a));
        assertEquals("queued", admin.show(id).get("status").asText());
        try (Stream<Path> files = Files.list(ferry.dir().resolve("fast"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(id)));
        }
    }

    @Test
    void stagingCutShortIs400() {
        String id = admin.createRaw("");
        RawHttp.Answer a = raw("PUT /v2/images/" + id + "/stage HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n0123456789", true);
        assertEquals(400, a.status(), a.head() + text(a));
        assertEquals("queued", admin.show(id).get("status").asText());
    }

    @Test
    void aContentLengthBeyondALongIs400() {
        String id = admin.createRaw("");
        RawHttp.Answer a = raw("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 99999999999999999999999\r\n\r\n01234", true);
        assertEquals(400, a.status(), a.head() + text(a));
        assertTrue(text(a).contains("Invalid Content-Length"), text(a));
    }

    @Test
    void aPathThatIsNotUtf8OrHoldsNulIs400() {
        String id = admin.createRaw("\"tags\":[\"a\"]");
        assertError(admin.put("/v2/images/" + id + "/tags/%FF%FE"), 400, "not valid UTF-8");
        assertError(admin.put("/v2/images/" + id + "/tags/%C0%AE"), 400, "not valid UTF-8");
        assertError(admin.put("/v2/images/" + id + "/tags/%00"), 400, "null character");
        assertError(admin.get("/v2/images/" + id + "/members/%FF"), 400, "not valid UTF-8");
        assertEquals("[\"a\"]", admin.show(id).get("tags").toString());
        assertEquals(204, admin.put("/v2/images/" + id + "/tags/%C3%A9t%C3%A9").status(), "UTF-8 text is fine");
    }

    @Test
    void jsonWithTrailingDataOrAByteOrderMarkIsMalformed() {
        assertError(admin.post("/v2/images", "{}x"), 400, "Malformed JSON in request body.");
        assertError(admin.post("/v2/images", "{} {}"), 400, "Malformed JSON in request body.");
        assertError(admin.post("/v2/images", "\uFEFF{}"), 400, "Malformed JSON in request body.");
        assertError(admin.patch(admin.createRaw(""), "[]]"), 400, "Malformed JSON in request body.");
    }

    @Test
    void aNulCharacterOrALoneSurrogateInJsonIs400() {
        assertError(admin.post("/v2/images", "{\"name\":\"a\\u0000b\"}"), 400, "Invalid null character");
        assertError(admin.post("/v2/images", "{\"prop\\u0000\":\"v\"}"), 400, "Invalid null character");
        assertError(admin.post("/v2/images", "{\"name\":\"\\ud800\"}"), 400, "Malformed JSON in request body.");
        String id = admin.createRaw("\"custom\":\"v\"");
        assertError(admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/custom\",\"value\":\"\\u0000\"}]"), 400,
                "Invalid null character");
        assertEquals("v", admin.show(id).get("custom").asText());
    }

    @Test
    void aNulCharacterInTheQueryIs400() {
        assertError(admin.get("/v2/images?marker=%00"), 400, "Invalid null character in the query string.");
        assertError(admin.get("/v2/images?os_distro=a%00b"), 400, "Invalid null character in the query string.");
    }

    @Test
    void aMemberIdWithA4ByteCharacterIs400() {
        String id = admin.createRaw("");
        assertError(admin.post("/v2/images/" + id + "/members", "{\"member\":\"\\ud83d\\ude00\"}"), 400,
                "Invalid 4-byte UTF-8 character in member");
        assertEquals(0, admin.get("/v2/images/" + id + "/members").json().get("members").size());
    }

    @Test
    void theSortParameterIsPartitionedAtItsFirstColonAsGlanceDoes() {
        assertError(admin.get("/v2/images?sort=name:asc:desc"), 400, "Invalid sort direction: asc:desc");
        assertError(admin.get("/v2/images?sort=,,"), 400, "Invalid sort key: .");
        assertError(admin.get("/v2/images?sort=name,"), 400, "Invalid sort key: .");
        assertEquals(200, admin.get("/v2/images?sort=name:,id:asc").status(), "an empty direction means desc");
    }
}
