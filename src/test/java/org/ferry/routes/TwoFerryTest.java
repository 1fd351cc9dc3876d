package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.glanceDownload;
import static org.ferry.routes.RouteKit.show;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two Ferry instances as two regions of one cloud (one Keystone, each region's image endpoint pointing at one of
 * them): a 64 MiB image glance-downloaded from RegionOne into RegionTwo arrives bit for bit.
 */
class TwoFerryTest {
    static final String TOKEN = "two-region-member";
    static final String[] AUTH = {"X-Auth-Token", TOKEN};

    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static TestFerry one;
    static TestFerry two;

    @BeforeAll
    static void start() {
        keystone = new KeystoneStub();
        one = TestFerry.start(dir.resolve("one"), config(dir.resolve("one")));
        two = TestFerry.start(dir.resolve("two"), config(dir.resolve("two")));
        keystone.token(TOKEN, "tr-user", "tr-project", List.of("member", "reader"),
                Instant.now().plus(2, ChronoUnit.HOURS), KeystoneStub.imageCatalog(
                        "RegionOne", "public", one.url(),
                        "RegionTwo", "public", two.url() + "/v2"));
    }

    private static Map<String, Map<String, String>> config(Path d) {
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(d);
        TestFerry.keystone(c, keystone.url());
        return c;
    }

    @AfterAll
    static void stop() {
        two.close();
        one.close();
        keystone.close();
    }

    @Test
    void a64MiBImageCrossesRegionsIntact() {
        byte[] data = random(64 << 20);
        String source = create(one, "{\"name\":\"big\",\"disk_format\":\"qcow2\",\"container_format\":\"bare\","
                + "\"hw_firmware_type\":\"uefi\",\"os_distro\":\"fedora\",\"owner_note\":\"x\"}", AUTH);
        assertEquals(204, one.putData("/v2/images/" + source + "/file", data, AUTH).status());
        JsonNode src = show(one, source, AUTH);
        assertActive(src, data, "fast");

        String target = create(two, AUTH);
        accepted(two, target, glanceDownload("RegionOne", source, "\"all_stores\":true"), AUTH);
        JsonNode task = awaitTask(two, target, "success", AUTH);
        assertEquals("Copied 64 MiB", task.get("message").asText());
        JsonNode img = show(two, target, AUTH);
        assertActive(img, data, "cheap,fast");
        assertEquals(src.get("checksum").asText(), img.get("checksum").asText());
        assertEquals(src.get("os_hash_value").asText(), img.get("os_hash_value").asText());
        assertEquals(md5(data), img.get("checksum").asText());
        assertEquals(sha512(data), img.get("os_hash_value").asText());
        assertEquals("qcow2", img.get("disk_format").asText());
        assertEquals("uefi", img.get("hw_firmware_type").asText());
        assertEquals("fedora", img.get("os_distro").asText());
        assertEquals("", img.get(FAILED).asText());
        assertStagingClean(two, target);
        assertArrayEquals(data, two.get("/v2/images/" + target + "/file", AUTH).body());

        // and back again, through the endpoint registered with /v2
        String back = create(one, AUTH);
        accepted(one, back, glanceDownload("RegionTwo", target, ""), AUTH);
        awaitTask(one, back, "success", AUTH);
        JsonNode returned = show(one, back, AUTH);
        assertActive(returned, data, "fast");
        assertEquals(src.get("os_hash_value").asText(), returned.get("os_hash_value").asText());
        assertStagingClean(one, back);
    }
}
