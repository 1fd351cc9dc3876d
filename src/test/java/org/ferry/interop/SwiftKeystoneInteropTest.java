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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ferry's swift store on a Swift that authenticates through the lab's real Keystone (scripts/swift-lab.sh --keystone,
 * keystoneauth, an object-store endpoint registered in RegionOne): Keystone v3 logins with a password
 * ({@code project:user}) and with an application credential, the storage URL found in the token's catalog, images
 * segmented into the project's own account ({@code AUTH_<project id>}) and read back, ranged and whole.
 * The lab directory comes from {@code FERRY_SWIFT_KEYSTONE_LAB} (.ci/run starts this second Swift lab after the
 * OpenStack lab).
 */
@Tag("interop")
class SwiftKeystoneInteropTest {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final String CONTAINER = "ferry-ks-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static Map<String, String> swift;
    static Token demo;

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
        swift = labEnv(dir);
        demo = lab.demo();
        // an application credential of demo's, made through Keystone's API as a user would
        JsonNode ac = lab.postJson(lab.keystoneUrl() + "/v3/users/" + demo.userId() + "/application_credentials",
                demo, Map.of("application_credential", Map.of("name", "ferry-swift-" + UUID.randomUUID())))
                .expect(201, "create an application credential").json().path("application_credential");
        Path refs = work.resolve("glance-swift.conf");
        Files.write(refs, List.of("[password]", "auth_address = " + swift.get("FERRY_SWIFT_KEYSTONE_URL"),
                "user = " + swift.get("FERRY_SWIFT_KEYSTONE_PROJECT") + ":" + swift.get("FERRY_SWIFT_KEYSTONE_USER"),
                "key = " + swift.get("FERRY_SWIFT_KEYSTONE_PASSWORD"), "user_domain_name = Default",
                "project_domain_name = Default",
                "[appcred]", "auth_address = " + swift.get("FERRY_SWIFT_KEYSTONE_URL"),
                "application_credential_id = " + ac.path("id").asText(),
                "application_credential_secret = " + ac.path("secret").asText()));
        ferry = lab.startFerry(work, c -> {
            TestFerry.section(c, "DEFAULT").merge("enabled_backends", "ks:swift, ksac:swift", (a, b) -> b + ", " + a);
            for (String[] store : new String[][] {{"ks", "password"}, {"ksac", "appcred"}}) {
                TestFerry.section(c, store[0]).putAll(Map.of("swift_store_config_file", refs.toString(),
                        "default_swift_reference", store[1], "swift_store_container", CONTAINER,
                        "swift_store_create_container_on_put", "True", "swift_store_large_object_size", "8",
                        "swift_store_large_object_chunk_size", "4", "swift_store_region", "RegionOne",
                        "swift_store_endpoint_type", "publicURL"));
            }
        });
    }

    /** The exports of {@code swift-lab.sh env --dir DIR}. */
    static Map<String, String> labEnv(String dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "scripts/swift-lab.sh", "env", "--dir", dir)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "swift-lab.sh env --dir " + dir);
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("export ")) {
                String kv = line.substring(7);
                String v = kv.substring(kv.indexOf('=') + 1);
                env.put(kv.substring(0, kv.indexOf('=')), v.startsWith("'") ? v.substring(1, v.length() - 1) : v);
            }
        }
        assertEquals("keystone", env.get("FERRY_SWIFT_MODE"), "the Swift lab in " + dir + " has Keystone auth");
        return env;
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    /** The object names of the test's container in demo's own account, listed with demo's Keystone token. */
    static List<String> objects() {
        String url = swift.get("FERRY_SWIFT_KEYSTONE_ENDPOINT").replace("%(project_id)s", demo.projectId()) + "/"
                + CONTAINER + "?format=json";
        Lab.Resp r = lab.get(url, demo);
        if (r.status() == 404 || r.status() == 204) {
            return List.of();
        }
        assertEquals(200, r.status(), r.body());
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        r.json().forEach(o -> names.add(o.path("name").asText()));
        return names;
    }

    @Test
    void passwordAndApplicationCredentialLoginsWriteAndReadSegmentedImagesInTheProjectsAccount() throws Exception {
        String ferryUrl = ferry.url();
        for (String store : List.of("ks", "ksac")) {
            RandomData data = new RandomData(store.length(), 10L * 1024 * 1024 + 3); // three segments
            Digests expected = data.digests();
            Map<String, Object> fields = Map.of("name", "interop-swift-keystone-" + store, "disk_format", "raw",
                    "container_format", "bare");
            String id = lab.createImage(ferryUrl, demo, fields);
            lab.call("PUT", ferryUrl + "/v2/images/" + id + "/file", demo, data.body(), "X-Image-Meta-Store", store)
                    .expect(204, "upload into store " + store);
            JsonNode img = lab.waitImage(ferryUrl, demo, id, TIMEOUT, "active",
                    i -> i.path("status").asText().equals("active"));
            assertEquals(store, img.path("stores").asText(), img.toString());
            List<String> names = objects().stream().filter(n -> n.startsWith(id)).toList();
            assertEquals(List.of(id, id + "-00001", id + "-00002", id + "-00003"), names,
                    "manifest and segments in AUTH_" + demo.projectId());
            assertEquals(expected, lab.download(ferryUrl + "/v2/images/" + id + "/file", demo).digests());
            lab.call("DELETE", ferryUrl + "/v2/images/" + id, demo, null).expect(204, "delete");
            assertTrue(objects().stream().noneMatch(n -> n.startsWith(id)), "segments and manifest deleted");
        }
    }
}
