package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Without enabled_backends (one file store, no http store): location metadata gets no store id, http locations have
 * no store to serve them, and a normal user cannot use the New Location API.
 */
class SingleStoreLocationsTest {
    static final byte[] DATA = WebImages.randomBytes(100 * 1024, 17);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        c.get("DEFAULT").remove("enabled_backends");
        c.remove("glance_store");
        c.remove("fast");
        c.remove("cheap");
        TestFerry.section(c, "glance_store").put("filesystem_store_datadir", dir.resolve("images").toString());
        TestFerry.section(c, "DEFAULT").put("show_multiple_locations", "true");
    });
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient owner = ApiClient.member(ferry, "proj-a");
    static final ApiClient cinder = ApiClient.as(ferry, "proj-a", "member,reader,service");

    @Test
    void fileLocationsCarryTheirOwnMetadataOnly() throws Exception {
        Path file = ferry.dir().resolve("images").resolve("seeded.raw");
        Files.write(file, DATA);
        String id = owner.createRaw("");
        TestResponse r = admin.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"file://"
                + file.toAbsolutePath() + "\",\"metadata\":{\"k\":\"v\"}}}]");
        assertEquals(200, r.status(), r.text());
        JsonNode img = r.json();
        assertEquals(Map.of("k", "v"), Map.of("k", img.get("locations").get(0).get("metadata").get("k").asText()));
        assertEquals(1, img.get("locations").get(0).get("metadata").size());
        assertFalse(img.has("stores"));
        assertArrayEquals(DATA, owner.get("/v2/images/" + id + "/file").body());
    }

    @Test
    void httpLocationsNeedAnHttpStore() {
        String url = web.serve("/single.raw", DATA);
        String id = owner.createRaw("");
        assertError(owner.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{}}}]"), 400, "Invalid location");
        assertError(owner.post("/v2/images/" + id + "/locations", "{\"url\":\"" + url + "\"}"), 403,
                "http store must be enabled to use location API by normal user.");
    }

    @Test
    void theServiceAddsAFileLocation() throws Exception {
        Path file = ferry.dir().resolve("images").resolve("volume.raw");
        Files.write(file, DATA);
        String id = owner.createRaw("");
        TestResponse r = cinder.post("/v2/images/" + id + "/locations", "{\"url\":\"file://" + file.toAbsolutePath()
                + "\"}");
        assertEquals(202, r.status(), r.text());
        await().atMost(Duration.ofSeconds(30)).until(() -> !owner.show(id).get("os_hash_value").isNull());
        JsonNode locs = cinder.get("/v2/images/" + id + "/locations").json();
        assertEquals(0, locs.get(0).get("metadata").size(), locs.toString());
        assertEquals(WebImages.hex("SHA-512", DATA), owner.show(id).get("os_hash_value").asText());
    }
}
