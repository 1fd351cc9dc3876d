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
    /** The same Keystone with [keystone_authtoken] service_token_roles_required = true. */
    static TestFerry strictFerry;

    @BeforeAll
    static void start() {
        keystone = new KeystoneStub()
                .token("demo-member", "demo-user", "demo-project", List.of("member", "reader"))
                .token("demo-reader", "demo-reader-user", "demo-project", List.of("reader"))
                .token("alt-member", "alt-user", "alt-project", List.of("member", "reader"))
                .token("the-admin", "admin-user", "admin-project", List.of("admin", "member", "reader"))
                .token("expired", "demo-user", "demo-project", List.of("member"), Instant.now().minusSeconds(60), "[]")
                .token("expired-member", "demo-user", "demo-project", List.of("member", "reader"),
                        Instant.now().minusSeconds(600), "[]")
                .token("nova-service", "nova-user", "services", List.of("admin", "service"))
                .token("slow-and-expired", "slow-user", "demo-project", List.of("member", "reader"),
                        Instant.now().minusSeconds(600), "[]", 700)
                .token("expired-service", "nova-user", "services", List.of("service"), Instant.now().minusSeconds(60),
                        "[]")
                .token("slow-to-validate", "slow-user", "demo-project", List.of("member", "reader"),
                        Instant.now().plusSeconds(3600), "[]", 700);
        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        TestFerry.keystone(c, keystone.url());
        ferry = TestFerry.start(dir, c);
        Map<String, Map<String, String>> strict = TestFerry.defaults(dir.resolve("strict"));
        TestFerry.keystone(strict, keystone.url());
        TestFerry.section(strict, "keystone_authtoken").put("service_token_roles_required", "true");
        strictFerry = TestFerry.start(dir.resolve("strict"), strict);
    }

    @AfterAll
    static void stop() {
        strictFerry.close();
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
    void concurrentRequestsWithAnExpiredTokenAndAServiceTokenShareOneValidation() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                statuses.add(callers.submit(() -> ferry.get("/v2/images", "X-Auth-Token", "slow-and-expired",
                        "X-Service-Token", "nova-service").status()));
            }
            for (Future<Integer> s : statuses) {
                assertEquals(200, s.get(30, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(1, keystone.validations("slow-and-expired", true), "16 requests that arrived during one validation");
        assertEquals(401, ferry.get("/v2/images", "X-Auth-Token", "slow-and-expired").status());
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

    /** Nova uploads a snapshot after the user's token has expired, sending its own service token along. */
    @Test
    void anExpiredUserTokenIsAcceptedWithAValidServiceTokenOnly() {
        var created = ferry.postJson("/v2/images", "{\"name\":\"snapshot\",\"disk_format\":\"raw\","
                + "\"container_format\":\"bare\"}", "X-Auth-Token", "demo-member");
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("id").asText();
        String file = "/v2/images/" + id + "/file";

        assertEquals(401, ferry.putData(file, new byte[4096], "X-Auth-Token", "expired-member").status());
        assertEquals(401, ferry.putData(file, new byte[4096], "X-Auth-Token", "expired-member",
                "X-Service-Token", "alt-member").status(), "a token without the service role cannot vouch");
        var up = ferry.putData(file, new byte[4096], "X-Auth-Token", "expired-member",
                "X-Service-Token", "nova-service");
        assertEquals(204, up.status(), up.text());
        var img = ferry.get("/v2/images/" + id, "X-Auth-Token", "demo-member").json();
        assertEquals("active", img.get("status").asText());
        assertEquals("demo-project", img.get("owner").asText());
        assertTrue(keystone.validations("expired-member", true) >= 1, "validated with allow_expired=1");
        // having been accepted once with the service token, the expired token is still refused without it
        var alone = ferry.get("/v2/images/" + id, "X-Auth-Token", "expired-member");
        assertEquals(401, alone.status(), alone.text());
        assertEquals("Keystone uri=\"" + keystone.url() + "\"", alone.header("WWW-Authenticate"));
        assertEquals(401, strictFerry.get("/v2/images", "X-Auth-Token", "expired-member").status());
        assertEquals(200, strictFerry.get("/v2/images", "X-Auth-Token", "expired-member",
                "X-Service-Token", "nova-service").status());
        assertEquals(204, ferry.delete("/v2/images/" + id, "X-Auth-Token", "demo-member").status());
    }

    @Test
    void anInvalidServiceTokenIs401() {
        for (TestFerry f : List.of(ferry, strictFerry)) {
            for (String serviceToken : List.of("nope", "expired-service")) {
                var r = f.get("/v2/images", "X-Auth-Token", "demo-member", "X-Service-Token", serviceToken);
                assertEquals(401, r.status(), serviceToken + ": " + r.text());
                assertEquals("Keystone uri=\"" + keystone.url() + "\"", r.header("WWW-Authenticate"));
            }
            assertEquals(200, f.get("/v2/images", "X-Auth-Token", "demo-member", "X-Service-Token", "nova-service")
                    .status());
        }
    }

    @Test
    void aServiceTokenWithoutTheServiceRoleIsRefusedOnlyWhenRolesAreRequired() {
        assertEquals(200, ferry.get("/v2/images", "X-Auth-Token", "demo-member", "X-Service-Token", "alt-member")
                .status());
        var r = strictFerry.get("/v2/images", "X-Auth-Token", "demo-member", "X-Service-Token", "alt-member");
        assertEquals(401, r.status(), r.text());
    }

    /** The service user is often admin of its own project: none of that reaches the user's request. */
    @Test
    void aServiceTokenDoesNotWidenTheUsersAccess() {
        var altImage = ferry.postJson("/v2/images", "{\"name\":\"alt-private\",\"visibility\":\"private\","
                + "\"disk_format\":\"raw\",\"container_format\":\"bare\"}", "X-Auth-Token", "alt-member");
        assertEquals(201, altImage.status(), altImage.text());
        String altId = altImage.json().get("id").asText();
        String[] demoWithNova = {"X-Auth-Token", "demo-member", "X-Service-Token", "nova-service"};

        assertEquals(404, ferry.get("/v2/images/" + altId, demoWithNova).status());
        assertEquals(404, ferry.delete("/v2/images/" + altId, demoWithNova).status());
        ferry.get("/v2/images", demoWithNova).json().get("images")
                .forEach(i -> assertTrue(!i.get("id").asText().equals(altId), "listed " + altId));
        var admins = ferry.get("/v2/images?owner=alt-project", demoWithNova).json().get("images");
        assertEquals(0, admins.size(), admins.toString());

        var foreignOwner = ferry.postJson("/v2/images", "{\"name\":\"x\",\"owner\":\"alt-project\"}", demoWithNova);
        assertEquals(403, foreignOwner.status(), foreignOwner.text());
        var publicImage = ferry.postJson("/v2/images", "{\"name\":\"x\",\"visibility\":\"public\"}", demoWithNova);
        assertEquals(403, publicImage.status(), publicImage.text());
        var own = ferry.postJson("/v2/images", "{\"name\":\"mine\"}", demoWithNova);
        assertEquals(201, own.status(), own.text());
        assertEquals("demo-project", own.json().get("owner").asText());
        assertEquals(204, ferry.delete("/v2/images/" + own.json().get("id").asText(), demoWithNova).status());
        assertEquals(204, ferry.delete("/v2/images/" + altId, "X-Auth-Token", "alt-member").status());
    }
}
