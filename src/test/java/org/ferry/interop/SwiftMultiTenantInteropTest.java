package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.interop.Lab.Digests;
import org.ferry.interop.Lab.RandomData;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * swift_store_multi_tenant on the Swift that authenticates through the lab's real Keystone: demo's images go into
 * demo's own account ({@code AUTH_<demo project>}, container {@code <prefix>_<image id>}), written with demo's token;
 * alt_demo reads them through Ferry only once the container's ACLs let alt_demo's project in (a member, or a community or
 * public image), with alt_demo's own token; swift_store_admin_tenants get write access; deleting the image removes its
 * container; a glance-direct import runs in the background with the importing user's token.
 */
@Tag("interop")
class SwiftMultiTenantInteropTest {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final String PREFIX = "ferry-mt-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static Map<String, String> swift;
    static Token demo;
    static Token alt;
    static Token admin;
    static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        String dir = System.getenv("FERRY_SWIFT_KEYSTONE_LAB");
        if (dir == null || dir.isBlank()) {
            String why = "FERRY_SWIFT_KEYSTONE_LAB is not set: no Swift lab with Keystone auth to test against";
            if (System.getenv("CI") != null) {
                fail(why + " (CI is set, so this is fatal: .ci/run starts one)");
            }
            Assumptions.abort(why);
        }
        swift = SwiftKeystoneInteropTest.labEnv(dir);
        demo = lab.demo();
        alt = lab.altDemo();
        admin = lab.admin();
        ferry = lab.startFerry(work, c -> {
            TestFerry.section(c, "DEFAULT").merge("enabled_backends", "mt:swift", (a, b) -> a + ", " + b);
            TestFerry.section(c, "mt").putAll(Map.of("swift_store_multi_tenant", "True",
                    "swift_store_container", PREFIX, "swift_store_create_container_on_put", "True",
                    "swift_store_large_object_size", "8", "swift_store_large_object_chunk_size", "4",
                    "swift_store_region", "RegionOne", "swift_store_endpoint_type", "publicURL",
                    "swift_store_admin_tenants", admin.projectId()));
        });
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        for (String id : made) { // what a failed test left: the images' containers in demo's account
            String c = storage(demo) + "/" + PREFIX + "_" + id;
            Lab.Resp list = lab.get(c + "?format=json", demo);
            if (list.status() == 200) {
                list.json().forEach(o -> lab.call("DELETE", c + "/" + o.path("name").asText(), demo, null));
            }
            lab.call("DELETE", c, demo, null);
        }
    }

    /** The user's own account on the lab's Swift. */
    static String storage(Token t) {
        return swift.get("FERRY_SWIFT_KEYSTONE_ENDPOINT").replace("%(project_id)s", t.projectId());
    }

    static String containerOf(String id) {
        return storage(demo) + "/" + PREFIX + "_" + id;
    }

    /** A header of the image's container, as its owner sees it ("" when unset); null when the container is gone. */
    static String containerHeader(String id, String name) {
        Lab.Resp r = lab.call("HEAD", containerOf(id), demo, null);
        if (r.status() == 404) {
            return null;
        }
        assertEquals(204, r.status(), "HEAD " + containerOf(id));
        List<String> v = r.headers().get(name.toLowerCase(java.util.Locale.ROOT));
        return v == null ? "" : String.join(",", v);
    }

    String createShared(String name) {
        String id = lab.createImage(ferry.url(), demo, Map.of("name", name, "disk_format", "raw",
                "container_format", "bare", "visibility", "shared"));
        made.add(id);
        return id;
    }

    @Test
    void demosImageIsInDemosAccountAndAltDemoReadsItOnlyAsAMemberOrWhenPublic() throws Exception {
        String base = ferry.url();
        String id = createShared("interop-swift-mt-acls");
        RandomData data = new RandomData(7, 10L * 1024 * 1024 + 3);
        Digests expected = data.digests();
        lab.call("PUT", base + "/v2/images/" + id + "/file", demo, data.body(), "X-Image-Meta-Store", "mt")
                .expect(204, "upload into the multi-tenant store");
        JsonNode img = lab.waitImage(base, demo, id, TIMEOUT, "active", i -> i.path("status").asText().equals("active"));
        assertEquals("mt", img.path("stores").asText(), img.toString());

        List<String> names = new ArrayList<>();
        lab.get(containerOf(id) + "?format=json", demo).expect(200, "list the image's container in demo's account")
                .json().forEach(o -> names.add(o.path("name").asText()));
        assertEquals(List.of(id, id + "-00001", id + "-00002", id + "-00003"), names);
        assertEquals("", containerHeader(id, "X-Container-Read"), "not shared with anyone yet");
        assertEquals(admin.projectId() + ":*", containerHeader(id, "X-Container-Write"), "admin tenants may write");
        assertEquals(403, lab.get(containerOf(id) + "/" + id, alt).status(), "alt_demo's token is refused by Swift");
        assertEquals(404, lab.download(base + "/v2/images/" + id + "/file", alt).status(), "not visible to alt_demo");

        lab.postJson(base + "/v2/images/" + id + "/members", demo, Map.of("member", alt.projectId()))
                .expect(200, "share with alt_demo");
        assertEquals(alt.projectId() + ":*", containerHeader(id, "X-Container-Read"), "the member's project may read");
        Lab.Downloaded got = lab.download(base + "/v2/images/" + id + "/file", alt);
        assertEquals(200, got.status(), got.error());
        assertEquals(expected, got.digests(), "alt_demo reads demo's container with alt_demo's own token");

        lab.call("DELETE", base + "/v2/images/" + id + "/members/" + alt.projectId(), demo, null)
                .expect(204, "stop sharing");
        assertEquals("", containerHeader(id, "X-Container-Read"), "the member's read access is gone");
        assertEquals(403, lab.get(containerOf(id) + "/" + id, alt).status());

        lab.patch(base + "/v2/images/" + id, demo, List.of(Map.of("op", "replace", "path", "/visibility",
                "value", "community"))).expect(200, "make community (public needs an admin)");
        assertEquals("*:*", containerHeader(id, "X-Container-Read"), "everyone may read a community image");
        assertEquals(expected, lab.download(base + "/v2/images/" + id + "/file", alt).digests());

        lab.call("DELETE", base + "/v2/images/" + id, demo, null).expect(204, "delete");
        assertEquals(null, containerHeader(id, "X-Container-Read"), "the image's container is deleted with it");
    }

    @Test
    void aGlanceDirectImportWritesWithTheImportingUsersToken() throws Exception {
        String base = ferry.url();
        String id = createShared("interop-swift-mt-import");
        RandomData data = new RandomData(9, 5L * 1024 * 1024 + 11);
        lab.call("PUT", base + "/v2/images/" + id + "/stage", demo, data.body()).expect(204, "stage");
        lab.postJson(base + "/v2/images/" + id + "/import", demo, Map.of("method", Map.of("name", "glance-direct"),
                "stores", List.of("mt"))).expect(202, "import into the multi-tenant store");
        JsonNode img = lab.waitImage(base, demo, id, TIMEOUT, "active or import failure",
                i -> i.path("status").asText().equals("active")
                        || !i.path("os_glance_failed_import").asText().isEmpty());
        assertEquals("active", img.path("status").asText(), img.toString());
        assertEquals(200, lab.get(containerOf(id) + "/" + id, demo).status(), "in demo's own account");
        assertEquals(data.digests(), lab.download(base + "/v2/images/" + id + "/file", demo).digests());
        lab.call("DELETE", base + "/v2/images/" + id, demo, null).expect(204, "delete");
        assertTrue(containerHeader(id, "X-Container-Read") == null, "container removed");
    }
}
