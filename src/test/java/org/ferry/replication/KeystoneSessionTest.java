package org.ferry.replication;

import com.github.tomakehurst.wiremock.WireMockServer;
import okhttp3.OkHttpClient;
import org.ferry.replication.clients.Credentials;
import org.ferry.replication.clients.KeystoneSession;
import org.ferry.replication.clients.ReplicationFailure;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.testing.KeystoneStub.tokenBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job's Keystone session against a WireMock Keystone: the OpenStack4j password login, the application-credential
 * login, the catalog lookup, and renewal before expiry (on a clock the test moves).
 */
class KeystoneSessionTest {
    static final String CATALOG = KeystoneStub.imageCatalog("RegionOne", "public", "http://r1.example:9292/v2/",
            "RegionOne", "internal", "http://10.0.0.1:9292", "RegionTwo", "public", "http://r2.example:9292");

    WireMockServer keystone;
    MutableClock clock;
    Instant issued;
    final OkHttpClient http = new OkHttpClient();

    /** A clock the test sets. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() {
        keystone = TestFerry.wiremock();
        issued = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock = new MutableClock(issued);
        keystone.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).withRequestBody(containing("\"password\""))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withHeader("X-Subject-Token", "password-token")
                        .withBody(tokenBody("replicator", "service", List.of("admin"), issued.plus(1, ChronoUnit.HOURS),
                                CATALOG))));
    }

    @AfterEach
    void stop() {
        keystone.stop();
    }

    Credentials.Password password() {
        return new Credentials.Password("http://127.0.0.1:" + keystone.port(), "replicator", "pw", "service",
                "Default", "Default");
    }

    @Test
    void logsInOnceAndFindsRegionEndpointsAsApiRoots() throws Exception {
        KeystoneSession s = new KeystoneSession(password(), http, clock);
        assertEquals("password-token", s.token());
        assertEquals("http://r1.example:9292", s.imageEndpoint("regionone", "public"));
        assertEquals("http://10.0.0.1:9292", s.imageEndpoint("RegionOne", "internal"));
        assertEquals("http://r2.example:9292", s.imageEndpoint("RegionTwo", "public"));
        ReplicationFailure missing = assertThrows(ReplicationFailure.class, () -> s.imageEndpoint("RegionNine", "public"));
        assertTrue(missing.getMessage().contains("no image endpoint for region RegionNine"), missing.getMessage());
        keystone.verify(1, postRequestedFor(urlPathEqualTo("/v3/auth/tokens"))
                .withRequestBody(containing("\"replicator\"")).withRequestBody(containing("\"service\"")));
    }

    @Test
    void theTokenIsRenewedBeforeItExpires() throws Exception {
        KeystoneSession s = new KeystoneSession(password(), http, clock);
        s.token();
        clock.now = issued.plus(54, ChronoUnit.MINUTES); // 6 minutes left: still used
        s.token();
        keystone.verify(1, postRequestedFor(urlPathEqualTo("/v3/auth/tokens")));
        clock.now = issued.plus(Duration.ofMinutes(55).plusSeconds(1)); // under 5 minutes left: renewed
        s.token();
        keystone.verify(2, postRequestedFor(urlPathEqualTo("/v3/auth/tokens")));
    }

    @Test
    void aShortLivedTokenIsRenewedAtHalfItsLife() throws Exception {
        keystone.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).atPriority(1).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withHeader("X-Subject-Token", "short")
                .withBody(tokenBody("replicator", "service", List.of("admin"), issued.plus(4, ChronoUnit.MINUTES),
                        CATALOG))));
        KeystoneSession s = new KeystoneSession(password(), http, clock);
        s.token();
        clock.now = issued.plus(Duration.ofSeconds(100));
        s.token();
        keystone.verify(1, postRequestedFor(urlPathEqualTo("/v3/auth/tokens")));
        clock.now = issued.plus(Duration.ofSeconds(150));
        s.token();
        keystone.verify(2, postRequestedFor(urlPathEqualTo("/v3/auth/tokens")));
    }

    @Test
    void anApplicationCredentialLogsInWithItsOwnMethod() throws Exception {
        keystone.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).atPriority(1)
                .withRequestBody(equalToJson("{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],"
                        + "\"application_credential\":{\"id\":\"ac-1\",\"secret\":\"s3cret\"}}}}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withHeader("X-Subject-Token", "app-token")
                        .withBody(tokenBody("replicator", "service", List.of("admin"),
                                issued.plus(1, ChronoUnit.HOURS), CATALOG))));
        KeystoneSession s = new KeystoneSession(new Credentials.ApplicationCredential(
                "http://127.0.0.1:" + keystone.port() + "/v3", "ac-1", "s3cret"), http, clock);
        assertEquals("app-token", s.token());
        assertEquals("http://r2.example:9292", s.imageEndpoint("RegionTwo", "public"));
    }

    @Test
    void aRefusedLoginSaysWhereAndAsWhom() {
        keystone.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).atPriority(1).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":401,\"message\":\"The request you have made requires authentication.\"}}")));
        KeystoneSession s = new KeystoneSession(password(), http, clock);
        ReplicationFailure e = assertThrows(ReplicationFailure.class, s::token);
        assertTrue(e.getMessage().startsWith("Keystone login at http://127.0.0.1:" + keystone.port()), e.getMessage());
        assertTrue(e.getMessage().contains("as user replicator in project "), e.getMessage());

        KeystoneSession app = new KeystoneSession(new Credentials.ApplicationCredential(
                "http://127.0.0.1:" + keystone.port(), "ac-1", "wrong"), http, clock);
        ReplicationFailure e2 = assertThrows(ReplicationFailure.class, app::token);
        assertTrue(e2.getMessage().contains("application credential ac-1 failed: HTTP 401"), e2.getMessage());
    }
}
