package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** do_secure_hash = false: the location's data is never read; given hashes are taken as they are. */
class NoSecureHashTest {
    static final byte[] DATA = WebImages.randomBytes(64 * 1024, 5);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c -> {
        TestFerry.section(c, "DEFAULT").putAll(Map.of("enabled_backends", "fast:file, web:http",
                "do_secure_hash", "false"));
    });
    static final ApiClient owner = ApiClient.member(ferry, "proj-a");
    static final ApiClient cinder = ApiClient.as(ferry, "proj-a", "member,reader,service");

    static JsonNode active(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> owner.show(id).get("status").asText().equals("active"));
        await().atMost(Duration.ofSeconds(30)).until(() -> owner.get("/v2/images/" + id + "/tasks").json()
                .get("tasks").get(0).get("status").asText().equals("success"));
        return owner.show(id);
    }

    @Test
    void givenHashesAreTrusted() {
        String url = web.serve("/trusted.raw", DATA);
        String id = owner.createRaw("");
        String claimed = "ab".repeat(32);
        assertEquals(202, cinder.post("/v2/images/" + id + "/locations", "{\"url\":\"" + url + "\",\"validation_data\":"
                + "{\"os_hash_algo\":\"sha256\",\"os_hash_value\":\"" + claimed + "\"}}").status());
        JsonNode img = active(id);
        assertEquals("sha256", img.get("os_hash_algo").asText());
        assertEquals(claimed, img.get("os_hash_value").asText());
        assertTrue(img.get("checksum").isNull());
        assertEquals(DATA.length, img.get("size").asLong());
        assertEquals(0, web.server().findAll(getRequestedFor(urlEqualTo("/trusted.raw"))).size(),
                "the data was not read");
    }

    @Test
    void withoutValidationDataThereAreNoHashes() {
        String url = web.serve("/plain.raw", DATA);
        String id = owner.createRaw("");
        assertEquals(202, cinder.post("/v2/images/" + id + "/locations", "{\"url\":\"" + url + "\"}").status());
        JsonNode img = active(id);
        assertTrue(img.get("os_hash_value").isNull() && img.get("checksum").isNull(), img.toString());
    }
}
