package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference §7.1: locations through PATCH with show_multiple_locations = true (tempest ImageLocationsTest), with
 * stores {@code fast:file, cheap:file, web:http} and a web server on 127.0.0.1 holding the data.
 */
class LegacyLocationsTest {
    static final byte[] DATA = WebImages.randomBytes(300 * 1024, 7);
    static final String MD5 = WebImages.hex("MD5", DATA);
    static final String SHA512 = WebImages.hex("SHA-512", DATA);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c -> {
        TestFerry.section(c, "DEFAULT").putAll(Map.of("enabled_backends", "fast:file, cheap:file, web:http",
                "show_multiple_locations", "true", "show_image_direct_url", "true", "image_location_quota", "3"));
    });
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient alice = ApiClient.member(ferry, "proj-a");
    static final ApiClient bob = ApiClient.member(ferry, "proj-b");
    static String url;
    static String url2;

    @BeforeAll
    static void start() {
        url = web.serve("/images/cirros.img", DATA);
        url2 = web.serve("/mirror/cirros.img", DATA);
    }

    static String add(String url, String extra) {
        return "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url + "\",\"metadata\":{}"
                + extra + "}}]";
    }

    static JsonNode ok(TestResponse r) {
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    /** A queued image made active by an http location. */
    static String withLocation(ApiClient who) {
        String id = who.createRaw("");
        ok(who.patch(id, add(url, "")));
        return id;
    }

    @Test
    void locationsAreShownAfterAnUpload() {
        String id = alice.createRaw("");
        JsonNode queued = alice.show(id);
        assertEquals(0, queued.get("locations").size(), queued.toString());
        assertFalse(queued.has("direct_url"));
        alice.upload(id, DATA);
        JsonNode img = alice.show(id);
        assertEquals(1, img.get("locations").size());
        JsonNode loc = img.get("locations").get(0);
        assertEquals("fast", loc.get("metadata").get("store").asText());
        assertTrue(loc.get("url").asText().startsWith("file://"), loc.toString());
        assertEquals(loc.get("url"), img.get("direct_url"));
        assertEquals(2, loc.size(), "only url and metadata: " + loc);
    }

    @Test
    void anHttpLocationActivatesAQueuedImageAndFerryServesItsData() {
        String id = alice.createRaw("\"name\":\"from-the-web\"");
        JsonNode img = ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{\"origin\":\"mirror\"}}}]"));
        assertEquals("active", img.get("status").asText());
        assertEquals(DATA.length, img.get("size").asLong(), "the size comes from the store");
        assertTrue(img.get("checksum").isNull() && img.get("os_hash_value").isNull() && img.get("os_hash_algo").isNull(),
                "legacy locations are not hashed: " + img);
        JsonNode loc = img.get("locations").get(0);
        assertEquals(url, loc.get("url").asText());
        assertEquals(Map.of("origin", "mirror", "store", "web"), Map.of("origin",
                loc.get("metadata").get("origin").asText(), "store", loc.get("metadata").get("store").asText()));
        assertEquals(url, img.get("direct_url").asText());
        assertEquals("web", img.get("stores").asText());
        assertEquals(img, alice.show(id));

        TestResponse data = alice.get("/v2/images/" + id + "/file");
        assertEquals(200, data.status(), data.text());
        assertArrayEquals(DATA, data.body());
        assertNull(data.header("Content-MD5"), "no checksum, no Content-MD5");
        TestResponse part = alice.call("GET", "/v2/images/" + id + "/file", null, null, "Range", "bytes=100-199");
        assertEquals(206, part.status());
        assertArrayEquals(java.util.Arrays.copyOfRange(DATA, 100, 200), part.body());
        assertEquals("bytes 100-199/" + DATA.length, part.header("Content-Range"));
    }

    @Test
    void draftFourPatchAsTempestSendsIt() {
        String id = alice.createRaw("");
        JsonNode img = ok(alice.patch(id, ApiClient.V20, "[{\"add\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{}}}]"));
        assertEquals("active", img.get("status").asText());
    }

    @Test
    void validationDataBecomesTheHashesAndIsNeverEchoed() {
        String id = alice.createRaw("");
        String vd = ",\"validation_data\":{\"checksum\":\"" + MD5 + "\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + SHA512 + "\"}";
        JsonNode img = ok(alice.patch(id, add(url, vd)));
        assertEquals("active", img.get("status").asText());
        assertEquals(MD5, img.get("checksum").asText());
        assertEquals("sha512", img.get("os_hash_algo").asText());
        assertEquals(SHA512, img.get("os_hash_value").asText());
        assertFalse(img.toString().contains("validation_data"), img.toString());
        // a second location with the same values is fine (tempest test_set_location_with_hash_second_matching)
        JsonNode two = ok(alice.patch(id, add(url2, vd)));
        assertEquals(2, two.get("locations").size());
        assertEquals(MD5, alice.get("/v2/images/" + id + "/file").header("Content-MD5"));
    }

    @Test
    void differingValidationDataIs409AndChangesNothing() {
        String id = alice.createRaw("");
        ok(alice.patch(id, add(url, ",\"validation_data\":{\"checksum\":\"" + MD5
                + "\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"" + SHA512 + "\"}")));
        JsonNode before = alice.show(id);
        String otherMd5 = "0".repeat(32);
        String otherSha = "0".repeat(128);
        assertError(alice.patch(id, add(url2, ",\"validation_data\":{\"checksum\":\"" + otherMd5
                + "\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"" + SHA512 + "\"}")), 409,
                "checksum is already set with a different value");
        assertError(alice.patch(id, add(url2, ",\"validation_data\":{\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + otherSha + "\"}")), 409, "os_hash_value is already set with a different value");
        assertError(alice.patch(id, add(url2, ",\"validation_data\":{\"os_hash_algo\":\"sha256\",\"os_hash_value\":\""
                + SHA512 + "\"}")), 409, "os_hash_algo is already set with a different value");
        assertEquals(before, alice.show(id));
    }

    @Test
    void validationDataOfAQueuedImageIsChecked() {
        String id = alice.createRaw("");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"os_hash_algo\":\"sha256\",\"os_hash_value\":\""
                + "ab".repeat(32) + "\"}")), 409, "os_hash_algo must be sha512, not sha256");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + "zz".repeat(64) + "\"}")), 409, "is not a valid hexadecimal value");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + "ab".repeat(32) + "\"}")), 409, "is not the correct size for sha512 (should be 64 bytes)");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"checksum\":\"" + "x".repeat(32)
                + "\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"" + SHA512 + "\"}")), 409,
                "checksum (" + "x".repeat(32) + ") is not a valid hexadecimal value");
        // the schema: checksum is 32 characters, algo and value go together, nothing else
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"checksum\":\"abc\",\"os_hash_algo\":\"sha512\","
                + "\"os_hash_value\":\"" + SHA512 + "\"}")), 400, "is too short");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"checksum\":\"" + MD5 + "\"}")), 400,
                "'os_hash_algo' is a required property");
        assertError(alice.patch(id, add(url, ",\"validation_data\":{\"os_hash_algo\":\"sha512\",\"os_hash_value\":\""
                + SHA512 + "\",\"size\":\"1\"}")), 400, "Additional properties are not allowed");
        assertEquals("queued", alice.show(id).get("status").asText());
        assertEquals(0, alice.show(id).get("locations").size());
    }

    @Test
    void badUnknownAndMissingLocationsAre400() {
        String id = alice.createRaw("");
        // tempest test_set_location_bad_scheme
        assertError(alice.patch(id, add("gopher://example.com/cirros.img", "")), 400, "Invalid location");
        assertError(alice.patch(id, add(web.url("/no/such/image"), "")), 400, "Invalid location");
        assertError(alice.patch(id, add("file:///etc/passwd", "")), 400, "Invalid location");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\"}}]"), 400, "'metadata' is a required property");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{\"n\":1}}}]"), 400, "has an invalid type");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{}}}]"), 400, "Invalid JSON pointer");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/x\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{}}}]"), 400, "Invalid position for adding a location.");
        assertEquals("queued", alice.show(id).get("status").asText());
    }

    @Test
    void formatsMustBeSetBeforeALocationActivatesTheImage() {
        String id = alice.post("/v2/images", "{\"name\":\"no-formats\"}").json().get("id").asText();
        assertError(alice.patch(id, add(url, "")), 400,
                "Properties disk_format, container_format must be set prior to saving data.");
        String half = alice.post("/v2/images", "{\"disk_format\":\"raw\"}").json().get("id").asText();
        assertError(alice.patch(half, add(url, "")), 400, "Property container_format must be set prior to saving data.");
    }

    @Test
    void duplicatesAndTheQuota() {
        String id = withLocation(alice);
        assertError(alice.patch(id, add(url, "")), 400, "The location " + url + " already exists");
        // same URL, other metadata: a different location for Glance
        ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{\"copy\":\"2\"}}}]"));
        ok(alice.patch(id, add(url2, "")));
        assertError(alice.patch(id, add(web.serve("/third.img", DATA), "")), 413,
                "The limit has been exceeded on the number of allowed image locations. Attempted: 4, Maximum: 3");
        assertEquals(3, alice.show(id).get("locations").size());
    }

    @Test
    void positionsInsertWhereAsked() {
        String id = withLocation(alice);
        JsonNode img = ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/0\",\"value\":{\"url\":\"" + url2
                + "\",\"metadata\":{}}}]"));
        assertEquals(url2, img.get("locations").get(0).get("url").asText());
        assertEquals(url, img.get("locations").get(1).get("url").asText());
        assertEquals(img.get("locations"), alice.show(id).get("locations"), "the order is stored");
    }

    @Test
    void replaceMayChangeMetadataButNotTheUrls() {
        String id = withLocation(alice);
        ok(alice.patch(id, add(url2, "")));
        JsonNode locs = alice.show(id).get("locations");
        // identical list
        ok(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":" + locs + "}]"));
        // changed metadata (tempest test_replace_location)
        String changed = "[{\"url\":\"" + url + "\",\"metadata\":{\"note\":\"a\"}},{\"url\":\"" + url2
                + "\",\"metadata\":{\"note\":\"b\"}}]";
        JsonNode img = ok(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":" + changed + "}]"));
        assertEquals("a", img.get("locations").get(0).get("metadata").get("note").asText());
        assertEquals("web", img.get("locations").get(0).get("metadata").get("store").asText());
        JsonNode after = alice.show(id).get("locations");
        // dropping or swapping a URL is refused and changes nothing
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\"" + url
                + "\",\"metadata\":{}}]}]"), 400, "Original locations is not empty");
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\"" + url
                + "\",\"metadata\":{}},{\"url\":\"" + web.serve("/swap.img", DATA) + "\",\"metadata\":{}}]}]"), 400,
                "Original locations is not empty");
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[]}]"), 403,
                "Cannot set locations to empty list.");
        assertEquals(after, alice.show(id).get("locations"));
        // replace fills a queued image's empty list and activates it
        String queued = alice.createRaw("");
        JsonNode filled = ok(alice.patch(queued, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\""
                + url + "\",\"metadata\":{}}]}]"));
        assertEquals("active", filled.get("status").asText());
        assertError(alice.patch(alice.createRaw(""), "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\""
                + url + "\",\"metadata\":{}},{\"url\":\"" + url + "\",\"metadata\":{}}]}]"), 400, "already exists");
    }

    @Test
    void removeIsAdminOnlyAndKeepsTheLastLocation() {
        String id = withLocation(alice);
        ok(alice.patch(id, add(url2, "")));
        // delete_image_location is admin-only by default
        assertError(alice.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"), 403, "delete_image_location");
        assertError(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/5\"}]"), 400,
                "Invalid position for removing a location.");
        JsonNode img = ok(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"));
        assertEquals(1, img.get("locations").size());
        assertEquals(url2, img.get("locations").get(0).get("url").asText());
        assertError(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"), 403,
                "Cannot remove last location in the image.");
        assertEquals(200, alice.get("/v2/images/" + id + "/file").status());
        // not on a queued image
        assertError(admin.patch(alice.createRaw(""), "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"), 409,
                "It's not allowed to remove locations if image status is queued.");
    }

    @Test
    void removingAStoredCopyDeletesItsData() throws Exception {
        String id = alice.createRaw("");
        alice.upload(id, DATA);
        ok(alice.patch(id, add(url, "")));
        String fileUrl = alice.show(id).get("locations").get(0).get("url").asText();
        Path file = Path.of(fileUrl.substring("file://".length()));
        assertTrue(Files.exists(file));
        JsonNode img = ok(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"));
        assertEquals("web", img.get("stores").asText());
        assertFalse(Files.exists(file), "the store's copy is gone");
        TestResponse data = alice.get("/v2/images/" + id + "/file");
        assertArrayEquals(DATA, data.body(), "served from the web location now");
        assertEquals(MD5, data.header("Content-MD5"));
    }

    @Test
    void statusRules() {
        String deact = withLocation(alice);
        assertEquals(204, alice.post("/v2/images/" + deact + "/actions/deactivate", null).status());
        assertError(alice.patch(deact, add(url2, "")), 409, "It's not allowed to add locations if image status is "
                + "deactivated.");
        assertError(alice.patch(deact, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\"" + url
                + "\",\"metadata\":{}}]}]"), 409, "It's not allowed to replace locations if image status is deactivated.");
        String staged = alice.createRaw("");
        assertEquals(204, alice.call("PUT", "/v2/images/" + staged + "/stage", "application/octet-stream", DATA)
                .status());
        assertError(alice.patch(staged, add(url, "")), 409, "if image status is uploading.");
    }

    @Test
    void whoMaySetLocations() {
        String id = alice.createRaw("");
        // another project does not see the image; a member of the owner project with reader only may not
        assertEquals(404, bob.patch(id, add(url, "")).status());
        assertError(ApiClient.as(ferry, "proj-a", "reader").patch(id, add(url, "")), 403, "set_image_location");
        // a project the image is shared with sees it but may not set locations
        assertEquals(200, alice.post("/v2/images/" + id + "/members", "{\"member\":\"proj-b\"}").status());
        assertError(bob.patch(id, add(url, "")), 403, "set_image_location");
        ok(admin.patch(id, add(url, "")));
    }

    @Test
    void theNewLocationApiShowsItsLocationInTheView() {
        String id = alice.createRaw("");
        ApiClient cinder = ApiClient.as(ferry, "proj-a", "member,reader,service");
        TestResponse r = cinder.post("/v2/images/" + id + "/locations", "{\"url\":\"" + url + "\"}");
        assertEquals(202, r.status(), r.text());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !alice.show(id).get("os_hash_value").isNull());
        JsonNode img = alice.show(id);
        assertEquals("active", img.get("status").asText());
        assertEquals(url, img.get("locations").get(0).get("url").asText());
        assertEquals("web", img.get("locations").get(0).get("metadata").get("store").asText());
        assertEquals(url, img.get("direct_url").asText());
        assertEquals(SHA512, img.get("os_hash_value").asText());
        assertArrayEquals(DATA, alice.get("/v2/images/" + id + "/file").body());
        // the legacy API may then add a second location with the hashes the task recorded
        JsonNode two = ok(alice.patch(id, add(url2, ",\"validation_data\":{\"checksum\":\"" + MD5
                + "\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"" + SHA512 + "\"}")));
        assertEquals(2, two.get("locations").size());
    }

    @Test
    void fileLocationsInsideAStoreAreForAdminsOnly() throws Exception {
        Path fast = ferry.dir().resolve("fast");
        Path file = fast.resolve("volume-0001.raw");
        Files.write(file, DATA);
        String fileUrl = "file://" + file.toAbsolutePath().normalize();
        String id = alice.createRaw("");
        assertError(alice.patch(id, add(fileUrl, "")), 400, "Invalid location");
        JsonNode img = ok(admin.patch(id, add(fileUrl, "")));
        assertEquals("active", img.get("status").asText());
        assertEquals("fast", img.get("locations").get(0).get("metadata").get("store").asText());
        assertEquals(DATA.length, img.get("size").asLong());
        assertArrayEquals(DATA, alice.get("/v2/images/" + id + "/file").body());
        // outside every store directory, or the directory itself, or empty: refused even for an admin
        Path outside = ferry.dir().resolve("outside.raw");
        Files.write(outside, DATA);
        assertError(admin.patch(alice.createRaw(""), add("file://" + outside.toAbsolutePath(), "")), 400,
                "Invalid location");
        assertError(admin.patch(alice.createRaw(""), add("file://" + fast.toAbsolutePath(), "")), 400,
                "Invalid location");
        Path empty = fast.resolve("empty.raw");
        Files.write(empty, new byte[0]);
        assertError(admin.patch(alice.createRaw(""), add("file://" + empty.toAbsolutePath(), "")), 400,
                "Invalid location");
    }
}
