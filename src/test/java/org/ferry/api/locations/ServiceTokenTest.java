package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Cinder case with Keystone tokens and show_multiple_locations = false: the locations stay out of the image
 * view, a token with the service role adds and reads them, a member project gets 403.
 */
class ServiceTokenTest {
    static final byte[] DATA = WebImages.randomBytes(512 * 1024, 13);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c -> TestFerry.section(c, "DEFAULT").putAll(Map.of(
            "enabled_backends", "fast:file, cheap:file, web:http", "show_multiple_locations", "false")))
            .behind(new KeystoneStub()
                    .token("cinder", "cinder-user", "proj-a", List.of("member", "reader", "service"))
                    .token("owner", "owner-user", "proj-a", List.of("member", "reader"))
                    .token("alt", "alt-user", "proj-b", List.of("member", "reader"))
                    .token("cinder-service", "cinder-user", "services", List.of("service")));

    static TestResponse call(String token, String method, String path, String json) {
        return ferry.call(method, path, json == null ? null : "application/json", json == null ? null : json.getBytes(),
                "X-Auth-Token", token, "Accept", "application/json");
    }

    @Test
    void serviceTokensAddAndReadLocationsMembersDoNot() {
        String url = web.serve("/cinder/volume-1.raw", DATA);
        TestResponse created = call("owner", "POST", "/v2/images",
                "{\"name\":\"volume-1\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("id").asText();
        assertEquals(200, call("owner", "POST", "/v2/images/" + id + "/members", "{\"member\":\"proj-b\"}").status());
        assertEquals(200, call("alt", "PUT", "/v2/images/" + id + "/members/proj-b", "{\"status\":\"accepted\"}")
                .status());
        String locations = "/v2/images/" + id + "/locations";

        TestResponse refused = call("alt", "POST", locations, "{\"url\":\"" + url + "\"}");
        assertEquals(403, refused.status(), refused.text());
        TestResponse added = call("cinder", "POST", locations, "{\"url\":\"" + url + "\"}");
        assertEquals(202, added.status(), added.text());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !call("owner", "GET", "/v2/images/" + id, null).json().get("os_hash_value").isNull());

        JsonNode img = call("alt", "GET", "/v2/images/" + id, null).json();
        assertEquals("active", img.get("status").asText());
        assertFalse(img.has("locations"), img.toString());
        assertFalse(img.has("direct_url"), img.toString());
        assertEquals(WebImages.hex("SHA-512", DATA), img.get("os_hash_value").asText());

        TestResponse list = call("cinder", "GET", locations, null);
        assertEquals(200, list.status(), list.text());
        assertEquals(url, list.json().get(0).get("url").asText());
        assertEquals("web", list.json().get(0).get("metadata").get("store").asText());
        for (String token : List.of("owner", "alt")) {
            TestResponse r = call(token, "GET", locations, null);
            assertEquals(403, r.status(), token + ": " + r.text());
            assertTrue(r.json().get("message").asText().contains("fetch_image_location"), r.text());
        }
        TestResponse data = ferry.call("GET", "/v2/images/" + id + "/file", null, null, "X-Auth-Token", "alt");
        assertEquals(200, data.status());
        assertArrayEquals(DATA, data.body());
        assertEquals(401, ferry.call("GET", locations, null, null).status(), "no token, no locations");
    }

    /**
     * Cinder's upload-to-image with the New Location API: the user's token (a member of the image's project) and
     * Cinder's service token, as keystoneauth's service-token wrapper sends them. The service token's role lets the
     * call register a location that is not http; the user token alone may not. Reading the locations back is
     * Glance's {@code fetch_image_location} ({@code role:service or role:admin} on the user token's roles), which
     * the service token does not satisfy.
     */
    @Test
    void cindersUserTokenWithItsServiceTokenRegistersAVolumeLocation() throws Exception {
        Path volume = ferry.dir().resolve("fast").resolve("volume-2.raw");
        Files.write(volume, DATA);
        String body = "{\"url\":\"file://" + volume.toAbsolutePath() + "\"}";
        TestResponse created = call("owner", "POST", "/v2/images",
                "{\"name\":\"volume-2\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("id").asText();
        String locations = "/v2/images/" + id + "/locations";

        TestResponse alone = call("owner", "POST", locations, body);
        assertEquals(403, alone.status(), alone.text());
        assertTrue(alone.text().contains("http store must be enabled to use location API by normal user."),
                alone.text());
        TestResponse withService = withServiceToken("owner", "cinder-service", "POST", locations, body);
        assertEquals(202, withService.status(), withService.text());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "active".equals(call("owner", "GET", "/v2/images/" + id, null).json().get("status").asText()));
        JsonNode img = call("owner", "GET", "/v2/images/" + id, null).json();
        assertEquals("proj-a", img.get("owner").asText());
        assertEquals("fast", img.get("stores").asText());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !call("owner", "GET", "/v2/images/" + id, null).json().get("os_hash_value").isNull());
        assertEquals(WebImages.hex("SHA-512", DATA),
                call("owner", "GET", "/v2/images/" + id, null).json().get("os_hash_value").asText());

        TestResponse read = withServiceToken("owner", "cinder-service", "GET", locations, null);
        assertEquals(403, read.status(), read.text());
        assertTrue(read.text().contains("fetch_image_location"), read.text());
        // another project's user gains nothing from a service token: the image stays invisible to it
        TestResponse stranger = withServiceToken("alt", "cinder-service", "GET", "/v2/images/" + id, null);
        assertEquals(404, stranger.status(), stranger.text());
    }

    static TestResponse withServiceToken(String token, String serviceToken, String method, String path, String json) {
        return ferry.call(method, path, json == null ? null : "application/json", json == null ? null : json.getBytes(),
                "X-Auth-Token", token, "X-Service-Token", serviceToken, "Accept", "application/json");
    }
}
