package org.ferry.auth;

import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ferry with [paste_deploy] flavor = keystone against a WireMock Keystone. */
class KeystoneAuthTest {
    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static TestFerry ferry;

    @BeforeAll
    static void start() {
        keystone = new KeystoneStub()
                .token("demo-member", "demo-user", "demo-project", List.of("member", "reader"))
                .token("demo-reader", "demo-reader-user", "demo-project", List.of("reader"))
                .token("alt-member", "alt-user", "alt-project", List.of("member", "reader"))
                .token("the-admin", "admin-user", "admin-project", List.of("admin", "member", "reader"))
                .token("expired", "demo-user", "demo-project", List.of("member"), Instant.now().minusSeconds(60), "[]")
                .token("slow-to-validate", "slow-user", "demo-project", List.of("member", "reader"),
                        Instant.now().plusSeconds(3600), "[]", 700);
        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        TestFerry.keystone(c, keystone.url());
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() {
        ferry.close();
        keystone.close();
    }

    @Test
    void missingUnknownAndExpiredTokensAre401WithWwwAuthenticate() {
        for (String[] headers : new String[][] {{}, {"X-Auth-Token", "nope"}, {"X-Auth-Token", "expired"}}) {
            var r = ferry.get("/v2/images", headers);
            assertEquals(401, r.status(), r.text());
            assertEquals("Keystone uri=\"" + keystone.url() + "\"", r.header("WWW-Authenticate"));
            assertTrue(r.header("x-openstack-request-id").startsWith("req-"));
        }
    }

    @Test
    void versionsNeedNoToken() {
        assertEquals(300, ferry.get("/").status());
        assertEquals(200, ferry.get("/versions").status());
    }

    @Test
    void validationsAreCachedPerToken() {
        int before = keystone.server().findAll(getRequestedFor(urlPathEqualTo("/v3/auth/tokens"))
                .withHeader("X-Subject-Token", equalTo("the-admin"))).size();
        for (int i = 0; i < 5; i++) {
            assertEquals(200, ferry.get("/v2/images", "X-Auth-Token", "the-admin").status());
        }
        int after = keystone.server().findAll(getRequestedFor(urlPathEqualTo("/v3/auth/tokens"))
                .withHeader("X-Subject-Token", equalTo("the-admin"))).size();
        assertTrue(after - before <= 1, "validated " + (after - before) + " times");
    }

    @Test
    void concurrentRequestsWithATokenNotYetValidatedShareOneValidation() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                statuses.add(callers.submit(() -> ferry.get("/v2/images", "X-Auth-Token", "slow-to-validate").status()));
            }
            for (Future<Integer> s : statuses) {
                assertEquals(200, s.get(30, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        int validations = keystone.server().findAll(getRequestedFor(urlPathEqualTo("/v3/auth/tokens"))
                .withHeader("X-Subject-Token", equalTo("slow-to-validate"))).size();
        assertEquals(1, validations, "16 requests that arrived during one validation");
    }

    @Test
    void projectsAreIsolatedAndRolesEnforced() {
        var created = ferry.postJson("/v2/images", "{\"name\":\"private-one\",\"visibility\":\"private\","
                + "\"disk_format\":\"raw\",\"container_format\":\"bare\"}", "X-Auth-Token", "demo-member",
                "Accept", "application/json");
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("id").asText();
        assertEquals("demo-project", created.json().get("owner").asText());
        var up = ferry.putData("/v2/images/" + id + "/file", new byte[1024], "X-Auth-Token", "demo-member");
        assertEquals(204, up.status(), up.text());

        assertEquals(404, ferry.get("/v2/images/" + id, "X-Auth-Token", "alt-member").status());
        assertEquals(404, ferry.get("/v2/images/" + id + "/file", "X-Auth-Token", "alt-member").status());
        assertEquals(404, ferry.delete("/v2/images/" + id, "X-Auth-Token", "alt-member").status());
        assertEquals(200, ferry.get("/v2/images/" + id, "X-Auth-Token", "the-admin").status());
        assertEquals(200, ferry.get("/v2/images/" + id, "X-Auth-Token", "demo-reader").status());
        // a reader may see the image but not download or change it
        assertEquals(403, ferry.get("/v2/images/" + id + "/file", "X-Auth-Token", "demo-reader").status());
        assertEquals(403, ferry.delete("/v2/images/" + id, "X-Auth-Token", "demo-reader").status());
        assertEquals(200, ferry.get("/v2/images/" + id + "/file", "X-Auth-Token", "demo-member").status());

        var altList = ferry.get("/v2/images", "X-Auth-Token", "alt-member").json();
        altList.get("images").forEach(i -> assertTrue(!i.get("id").asText().equals(id)));
        assertEquals(204, ferry.delete("/v2/images/" + id, "X-Auth-Token", "demo-member").status());
    }
}
