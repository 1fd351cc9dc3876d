package org.ferry.auth;

import org.ferry.testing.KeystoneStub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * keystonemiddleware's handling of X-Service-Token, against the Keystone stub: which service tokens are accepted,
 * when an expired user token passes, and what the service token does not change.
 */
class KeystoneAuthenticatorTest {
    static KeystoneStub keystone;
    /** The cache bound of {@link #aFullCacheKeepsAllButTheLeastUsefulTokens}. */
    static final int FULL = 20;

    @BeforeAll
    static void start() {
        Instant hour = Instant.now().plus(1, ChronoUnit.HOURS);
        keystone = new KeystoneStub()
                .token("user", "demo-user", "demo-project", List.of("member", "reader"))
                .token("expired-user", "demo-user", "demo-project", List.of("member", "reader"),
                        Instant.now().minusSeconds(600), "[]")
                .token("nova", "nova-user", "services", List.of("admin", "service"))
                .token("cinder", "cinder-user", "services", List.of("service"))
                .token("not-a-service", "alt-user", "alt-project", List.of("member", "reader"))
                .token("expired-nova", "nova-user", "services", List.of("service"),
                        Instant.now().minusSeconds(600), "[]")
                .token("ends-in-an-hour", "demo-user", "demo-project", List.of("member"), hour, "[]")
                .token("cinder-for-3h", "cinder-user", "services", List.of("service"),
                        Instant.now().plus(3, ChronoUnit.HOURS), "[]")
                .token("slow-shared", "demo-user", "demo-project", List.of("member"), hour, "[]", 800)
                .token("cached-5-min", "demo-user", "demo-project", List.of("member"), hour, "[]");
        for (int i = 0; i <= FULL; i++) {
            keystone.token("fill-" + i, "demo-user", "demo-project", List.of("member"));
        }
    }

    @AfterAll
    static void stop() {
        keystone.close();
    }

    static KeystoneAuthenticator authenticator(boolean rolesRequired, Clock clock, Duration cacheTime) {
        return new KeystoneAuthenticator(settings(),
                new KeystoneAuthenticator.ServiceTokenRoles(List.of("service"), rolesRequired), cacheTime, clock);
    }

    static KeystoneAuthenticator.KeystoneSettings settings() {
        return new KeystoneAuthenticator.KeystoneSettings(keystone.url(), keystone.url(), "glance", "secret",
                "service", "Default", "Default");
    }

    static KeystoneAuthenticator authenticator(boolean rolesRequired) {
        return authenticator(rolesRequired, Clock.systemUTC(), Duration.ofMinutes(5));
    }

    static RequestContext call(KeystoneAuthenticator auth, String token, String serviceToken) {
        Map<String, String> headers = serviceToken == null ? Map.of() : Map.of("X-Service-Token", serviceToken);
        return auth.authenticate(token, headers::get, "req-test");
    }

    static void refused(KeystoneAuthenticator auth, String token, String serviceToken) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> call(auth, token, serviceToken),
                token + " with service token " + serviceToken);
        assertFalse(e.identityServiceUnavailable(), e.getMessage());
    }

    @Test
    void aValidServiceTokenLetsAnExpiredUserTokenThrough() {
        for (boolean required : new boolean[] {false, true}) {
            KeystoneAuthenticator auth = authenticator(required);
            refused(auth, "expired-user", null);
            RequestContext ctx = call(auth, "expired-user", "cinder");
            assertEquals("demo-user", ctx.userId());
            assertEquals("demo-project", ctx.projectId());
            assertEquals(Set.of("service"), ctx.serviceRoles());
            // the validation that allowed it does not let the expired token through on its own afterwards
            refused(auth, "expired-user", null);
        }
        assertTrue(keystone.validations("expired-user", true) >= 1, "asked Keystone with allow_expired=1");
    }

    @Test
    void anInvalidOrExpiredServiceTokenIsRefused() {
        for (boolean required : new boolean[] {false, true}) {
            KeystoneAuthenticator auth = authenticator(required);
            refused(auth, "user", "no-such-token");
            refused(auth, "user", "expired-nova");
            refused(auth, "expired-user", "no-such-token");
        }
    }

    @Test
    void aServiceTokenWithoutTheRolesIsAcceptedOnlyWhenNotRequiredAndNeverVouchesForAnExpiredToken() {
        KeystoneAuthenticator lenient = authenticator(false);
        RequestContext ctx = call(lenient, "user", "not-a-service");
        assertEquals("demo-project", ctx.projectId());
        assertEquals(Set.of("member", "reader"), ctx.serviceRoles());
        assertFalse(ctx.isService());
        refused(lenient, "expired-user", "not-a-service");

        KeystoneAuthenticator strict = authenticator(true);
        refused(strict, "user", "not-a-service");
        refused(strict, "expired-user", "not-a-service");
        assertEquals(Set.of("service"), call(strict, "user", "cinder").serviceRoles());
    }

    @Test
    void theRequestActsAsTheUserTokenOnly() {
        RequestContext ctx = call(authenticator(true), "user", "nova");
        assertEquals("demo-user", ctx.userId());
        assertEquals("demo-project", ctx.projectId());
        assertEquals(Set.of("member", "reader"), ctx.roles());
        assertFalse(ctx.isAdmin(), "the service user's admin role is not the caller's");
        assertTrue(ctx.isService());
        assertEquals(new RequestContext.ServiceCaller("nova-user", "services", Set.of("admin", "service")),
                ctx.service());
        assertNull(call(authenticator(true), "user", null).service());
        assertNull(call(authenticator(true), "user", " ").service(), "an empty X-Service-Token is no service token");
    }

    @Test
    void aCachedUserTokenThatHasSinceExpiredPassesOnlyWithTheServiceToken() {
        MutableClock clock = new MutableClock(Instant.now());
        KeystoneAuthenticator auth = authenticator(false, clock, Duration.ofHours(3));
        assertEquals("demo-project", call(auth, "ends-in-an-hour", null).projectId());
        clock.advance(Duration.ofMinutes(61));
        refused(auth, "ends-in-an-hour", null);
        assertEquals("demo-project", call(auth, "ends-in-an-hour", "cinder-for-3h").projectId());
        refused(auth, "ends-in-an-hour", null);
        // the service token is checked against the same clock: an hour-long one has run out by now
        refused(auth, "ends-in-an-hour", "cinder");
        assertEquals(1, keystone.validations("ends-in-an-hour", false), "validated once, then from the cache");
        assertEquals(0, keystone.validations("ends-in-an-hour", true));
    }

    /**
     * Requests that arrive while a token is being validated share that validation, whether or not they carry a
     * service token: an answer given with allow_expired serves a request without it, and a token accepted without
     * it serves one with it (before, the two kinds each asked Keystone).
     */
    @Test
    void concurrentRequestsWithOneUncachedTokenMakeOneValidation() throws Exception {
        KeystoneAuthenticator auth = authenticator(true);
        call(auth, "user", "cinder");
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RequestContext>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String serviceToken = i % 2 == 0 ? null : "cinder";
                answers.add(callers.submit(() -> {
                    go.await();
                    return call(auth, "slow-shared", serviceToken);
                }));
            }
            go.countDown();
            for (Future<RequestContext> a : answers) {
                assertEquals("demo-project", a.get(30, TimeUnit.SECONDS).projectId());
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(1, keystone.validations("slow-shared", false) + keystone.validations("slow-shared", true),
                "8 requests, 4 with a service token, that arrived during one validation");
    }

    /** Each answer is kept for its own time: an accepted token for the cache time, a refusal for 10 s. */
    @Test
    void eachAnswerIsAskedAgainWhenItsOwnCacheTimeHasPassed() {
        MutableClock clock = new MutableClock(Instant.now());
        KeystoneAuthenticator auth = authenticator(false, clock, Duration.ofMinutes(5));
        call(auth, "cached-5-min", null);
        refused(auth, "unknown-for-10-s", null);
        clock.advance(Duration.ofSeconds(9));
        call(auth, "cached-5-min", null);
        refused(auth, "unknown-for-10-s", null);
        assertEquals(1, keystone.validations("unknown-for-10-s", false));
        clock.advance(Duration.ofSeconds(2));
        refused(auth, "unknown-for-10-s", null);
        assertEquals(2, keystone.validations("unknown-for-10-s", false), "a refusal is kept for 10 s");
        assertEquals(1, keystone.validations("cached-5-min", false));
        clock.advance(Duration.ofMinutes(4).plusSeconds(50));
        call(auth, "cached-5-min", null);
        assertEquals(2, keystone.validations("cached-5-min", false), "an accepted token is kept for the cache time");
    }

    /**
     * A cache that is full drops the least useful token to make room for a new one, not every token it holds (it
     * used to empty itself, so a busy Ferry validated every token again each time it filled up).
     */
    @Test
    void aFullCacheKeepsAllButTheLeastUsefulTokens() {
        KeystoneAuthenticator auth = new KeystoneAuthenticator(settings(),
                KeystoneAuthenticator.ServiceTokenRoles.DEFAULTS, Duration.ofMinutes(5), Clock.systemUTC(), FULL);
        for (int i = 0; i <= FULL; i++) {
            call(auth, "fill-" + i, null);
        }
        int again = 0;
        for (int i = FULL; i >= 0; i--) {
            int before = keystone.validations("fill-" + i, false);
            call(auth, "fill-" + i, null);
            again += keystone.validations("fill-" + i, false) - before;
        }
        assertTrue(again <= 2, (FULL + 1) + " tokens in a cache of " + FULL + ": " + again + " validated again");
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant i) {
            now = i;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
