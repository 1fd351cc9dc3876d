package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.GlanceStub;
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

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertNoTraces;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.glanceDownload;
import static org.ferry.routes.RouteKit.remoteImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.storeDir;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * glance-download (§4.6) through the real route, Keystone mode: the remote region comes from the caller's token
 * catalog (several regions), the remote Glance is a WireMock. The property prefixes are widened with {@code os_} and
 * {@code min_} so that the exclusion of core fields and os_glance_* keys is actually exercised.
 */
class GlanceDownloadSuccessTest {
    static final String TOKEN = "gd-member";
    static final String[] AUTH = {"X-Auth-Token", TOKEN};

    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static GlanceStub remote;
    static TestFerry ferry;

    @BeforeAll
    static void start() {
        remote = GlanceStub.started();
        String catalog = KeystoneStub.imageCatalog(
                "RegionOne", "public", "http://127.0.0.1:1/unused",
                "RegionTwo", "public", "http://127.0.0.1:" + remote.port() + "/v2/",
                "RegionTwo", "internal", "http://127.0.0.1:" + remote.port(),
                "RegionThree", "public", "http://127.0.0.1:" + remote.port() + "/v2");
        keystone = new KeystoneStub().token(TOKEN, "gd-user", "gd-project", List.of("member", "reader"),
                Instant.now().plus(2, ChronoUnit.HOURS), catalog);
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.keystone(c, keystone.url());
        TestFerry.section(c, "glance_download_properties").put("extra_properties",
                "[hw_, trait:, os_distro, os_secure_boot, os_type, os_, min_]");
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() {
        ferry.close();
        remote.stop();
        keystone.close();
    }

    /** A remote image with properties of every kind: copied by prefix, never copied, and core fields. */
    static ObjectNode richRemote(byte[] data) {
        ObjectNode m = remoteImage(uuid(), data);
        m.put("hw_disk_bus", "virtio").put("hw_qemu_guest_agent", "yes").put("trait:CUSTOM_FAST", "required")
                .put("os_distro", "ubuntu").put("os_secure_boot", "required").put("os_type", "linux")
                .put("os_admin_user", "root").put("speed", "fast")
                .put("os_glance_importing_to_stores", "evil").put("os_glance_import_task", "evil-task")
                .put("os_glance_failed_import", "evil").put("os_glance_custom", "evil")
                .put("os_hidden", true).put("min_disk", 7).put("min_ram", 1024).put("virtual_size", 123456789);
        m.putArray("tags").add("remote-tag");
        return m;
    }

    private static List<LoggedRequest> remoteRequests(String remoteId) {
        return remote.findAll(anyRequestedFor(urlPathMatching(".*" + remoteId + ".*")));
    }

    @Test
    void downloadsIntoTheDefaultStoreWithTheRemotePropertiesAndFormats() {
        byte[] data = random(3 * 1024 * 1024 + 17);
        ObjectNode meta = richRemote(data);
        String rid = meta.get("id").asText();
        remote.image(meta, data);
        String id = create(ferry, "{\"name\":\"local\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                + "\"hw_disk_bus\":\"ide\",\"speed\":\"slow\",\"os_distro\":\"debian\"}", AUTH);

        accepted(ferry, id, glanceDownload("RegionTwo", rid, ""), AUTH);
        JsonNode task = awaitTask(ferry, id, "success", AUTH);
        assertEquals("Copied 3 MiB", task.get("message").asText());
        assertEquals(id, task.get("result").get("image_id").asText());
        assertEquals("public", task.get("input").get("import_req").get("method").get("glance_service_interface").asText());

        JsonNode img = show(ferry, id, AUTH);
        assertActive(img, data, "fast");
        assertEquals("", img.get(FAILED).asText());
        assertEquals("qcow2", img.get("disk_format").asText());
        assertEquals("ovf", img.get("container_format").asText());
        // copied by prefix, overwriting local values
        assertEquals("virtio", img.get("hw_disk_bus").asText());
        assertEquals("yes", img.get("hw_qemu_guest_agent").asText());
        assertEquals("required", img.get("trait:CUSTOM_FAST").asText());
        assertEquals("ubuntu", img.get("os_distro").asText());
        assertEquals("required", img.get("os_secure_boot").asText());
        assertEquals("linux", img.get("os_type").asText());
        assertEquals("root", img.get("os_admin_user").asText());
        // not matching a prefix: the local value stays
        assertEquals("slow", img.get("speed").asText());
        // core fields and os_glance_* are never copied
        assertEquals("local", img.get("name").asText());
        assertFalse(img.get("os_hidden").asBoolean());
        assertEquals(0, img.get("min_disk").asInt());
        assertEquals(0, img.get("min_ram").asInt());
        assertTrue(img.get("tags").isEmpty(), img.toString());
        assertFalse(img.has("os_glance_custom"), img.toString());
        assertFalse(img.has("os_glance_import_task"), img.toString());
        assertFalse("evil".equals(img.get("os_glance_importing_to_stores").asText()));
        assertFalse("evil".equals(img.get("os_glance_failed_import").asText()));

        // the catalog URL ends in /v2/: normalised, so the remote saw /v2/images/<id>, never /v2/v2
        List<LoggedRequest> seen = remoteRequests(rid);
        assertEquals(2, seen.size(), seen.toString());
        for (LoggedRequest r : seen) {
            assertTrue(r.getUrl().startsWith("/v2/images/" + rid), r.getUrl());
            assertEquals(TOKEN, r.getHeader("X-Auth-Token"), r.getUrl());
        }
        assertStagingClean(ferry, id);
        assertTrue(RouteKit.files(storeDir(ferry, "fast")).contains(id));
        assertNoTraces(storeDir(ferry, "cheap"), id);
        assertEquals(ImageFixtures.md5(data), ImageFixtures.md5(ferry.get("/v2/images/" + id + "/file", AUTH).body()));
    }

    @Test
    void downloadsIntoSeveralStores() {
        byte[] data = random(1_234_567);
        ObjectNode meta = remoteImage(uuid(), data);
        remote.image(meta, data);
        String id = create(ferry, AUTH);
        accepted(ferry, id, glanceDownload("RegionThree", meta.get("id").asText(), "\"stores\":[\"fast\",\"cheap\"]"),
                AUTH);
        JsonNode task = awaitTask(ferry, id, "success", AUTH);
        assertEquals(List.of("fast", "cheap"), RouteKit.JSON.convertValue(task.get("input").get("backend"), List.class));
        JsonNode img = show(ferry, id, AUTH);
        assertActive(img, data, "cheap,fast");
        assertEquals("", img.get(FAILED).asText());
        assertStagingClean(ferry, id);
        assertTrue(RouteKit.files(storeDir(ferry, "cheap")).contains(id));
        assertTrue(RouteKit.files(storeDir(ferry, "fast")).contains(id));
    }

    @Test
    void downloadsIntoAllStoresThroughTheInternalInterface() {
        byte[] data = random(65_537);
        ObjectNode meta = remoteImage(uuid(), data);
        String rid = meta.get("id").asText();
        remote.image(meta, data);
        String id = create(ferry, AUTH);
        accepted(ferry, id, "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"regiontwo\","
                + "\"glance_image_id\":\"" + rid + "\",\"glance_service_interface\":\"internal\"},"
                + "\"all_stores\":true}", AUTH);
        awaitTask(ferry, id, "success", AUTH);
        JsonNode img = show(ferry, id, AUTH);
        assertActive(img, data, "cheap,fast");
        assertStagingClean(ferry, id);
        remoteRequests(rid).forEach(r -> assertTrue(r.getUrl().startsWith("/v2/images/" + rid), r.getUrl()));
    }
}
