package org.ferry.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Validates Keystone v3 tokens as keystonemiddleware's auth_token does: the user's {@code X-Auth-Token} and, when
 * a service (Nova, Cinder) sends one, its {@code X-Service-Token}. A valid service token that carries one of
 * {@code service_token_roles} lets an expired user token through (Keystone is asked with {@code allow_expired}),
 * so an upload that outlives the user's token still finishes; its roles reach policy as {@code service_roles}.
 * The request still acts as the user token's user and project.
 *
 * <p>Validations are cached for {@code cacheTime} and tokens Keystone refused are remembered briefly, in a cache
 * bounded to {@value #MAX_ENTRIES} tokens (the least useful go first when it is full); a cached token is checked
 * against its expiry on every use, so a user token accepted once with a service token is not accepted again without
 * one.
 */
public final class KeystoneAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);
    private static final int MAX_ENTRIES = 10_000;
    private static final Duration INVALID_CACHE_TIME = Duration.ofSeconds(10);

    private final KeystoneSettings settings;
    private final ServiceTokenRoles serviceTokenRoles;
    private final Clock clock;
    private final KeystoneTokens keystone;
    /** Validations by token, done or in flight; Caffeine evicts by size and drops each answer when it is stale. */
    private final AsyncCache<String, Cached> cache;
    private final AtomicBoolean roleLessServiceTokenLogged = new AtomicBoolean();

    public record KeystoneSettings(String authUrl, String wwwAuthenticateUri, String username, String password,
                                   String projectName, String userDomainName, String projectDomainName) {
    }

    /**
     * {@code [keystone_authtoken] service_token_roles} (any one of them makes a service token) and
     * {@code service_token_roles_required} (refuse a valid service token without them, instead of accepting it
     * with a warning but never letting it vouch for an expired user token).
     */
    public record ServiceTokenRoles(List<String> roles, boolean required) {
        public static final ServiceTokenRoles DEFAULTS = new ServiceTokenRoles(List.of("service"), false);

        public ServiceTokenRoles {
            roles = List.copyOf(roles);
        }

        boolean heldBy(ValidatedToken t) {
            return roles.stream().anyMatch(t.roles()::contains);
        }
    }

    /** A validation's answer; a null token means Keystone refused it. */
    private record Cached(ValidatedToken token, boolean expiredAllowed) {
    }

    public KeystoneAuthenticator(KeystoneSettings settings, Duration cacheTime, Clock clock) {
        this(settings, ServiceTokenRoles.DEFAULTS, cacheTime, clock);
    }

    public KeystoneAuthenticator(KeystoneSettings settings, ServiceTokenRoles serviceTokenRoles, Duration cacheTime,
                                 Clock clock) {
        this(settings, serviceTokenRoles, cacheTime, clock, MAX_ENTRIES);
    }

    KeystoneAuthenticator(KeystoneSettings settings, ServiceTokenRoles serviceTokenRoles, Duration cacheTime,
                          Clock clock, long maxEntries) {
        this.settings = settings;
        this.serviceTokenRoles = serviceTokenRoles;
        this.clock = clock;
        this.keystone = new KeystoneTokens(settings, clock);
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // an accepted token is kept for the cache time even past its own expiry, as keystonemiddleware keeps
                // it: every use checks the expiry, and the data still serves a request a service token vouches for
                .expireAfter(Expiry.writing((String token, Cached c) -> c.token() == null ? INVALID_CACHE_TIME
                        : cacheTime))
                .ticker(ticker(clock))
                // evictions are cheap bookkeeping: do them on the request's thread rather than hop to a pool
                .executor(Runnable::run)
                .buildAsync();
        if (!serviceTokenRoles.required()) {
            LOG.warn("[keystone_authtoken] service_token_roles_required is false: a valid X-Service-Token without "
                    + "any of service_token_roles {} is still accepted (deprecated keystonemiddleware behaviour); "
                    + "set it to true", serviceTokenRoles.roles());
        }
    }

    @Override
    public String wwwAuthenticate() {
        return "Keystone uri=\"" + settings.wwwAuthenticateUri() + "\"";
    }

    @Override
    public RequestContext authenticate(String token, Function<String, String> headers, String requestId) {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException("no X-Auth-Token", false);
        }
        Instant now = clock.instant();
        RequestContext.ServiceCaller service = null;
        boolean allowExpired = false;
        String serviceToken = headers.apply("X-Service-Token");
        if (serviceToken != null && !serviceToken.isBlank()) {
            ValidatedToken st = lookup(serviceToken.strip(), false);
            if (st == null || st.expiredAt(now)) {
                LOG.info("X-Service-Token is not valid");
                throw new AuthenticationException("service token is not valid", false);
            }
            boolean hasRole = serviceTokenRoles.heldBy(st);
            if (!hasRole) {
                if (serviceTokenRoles.required()) {
                    LOG.info("X-Service-Token of user {} has none of [keystone_authtoken] service_token_roles {}",
                            st.userId(), serviceTokenRoles.roles());
                    throw new AuthenticationException("service token lacks the service roles", false);
                }
                if (roleLessServiceTokenLogged.compareAndSet(false, true)) {
                    LOG.warn("A valid token of user {} was sent as X-Service-Token but has none of "
                            + "[keystone_authtoken] service_token_roles {}: accepted, because "
                            + "service_token_roles_required is false, but it cannot vouch for an expired user token "
                            + "(logged once)", st.userId(), serviceTokenRoles.roles());
                }
            }
            // as in keystonemiddleware, only a token holding the roles may vouch for an expired user token
            allowExpired = hasRole;
            service = new RequestContext.ServiceCaller(st.userId(), st.projectId(), st.roles());
        }
        ValidatedToken user = lookup(token.strip(), allowExpired);
        if (user == null || (!allowExpired && user.expiredAt(now))) {
            throw new AuthenticationException("token is not valid", false);
        }
        if (user.expiredAt(now)) {
            LOG.debug("user token of {} expired at {}, accepted with the service token of {}", user.userId(),
                    user.expires(), service.userId());
        }
        return new RequestContext(requestId, user.userId(), user.projectId(), user.roles(), token, user.catalog(),
                false, service);
    }

    /**
     * The token's data from the cache or from Keystone; null when Keystone refused it. One validation of a token at
     * a time: requests that arrive while it runs wait for its answer instead of asking Keystone too (benchmark: 16
     * concurrent GETs, 16 validations of one token, Keystone on a loaded machine timed out and eight requests got
     * 503). The cache entry is the validation in flight, so no request can slip between a miss and the start of a
     * validation.
     */
    private ValidatedToken lookup(String token, boolean allowExpired) {
        while (true) {
            CompletableFuture<Cached> mine = new CompletableFuture<>();
            CompletableFuture<Cached> current = cache.get(token, (t, executor) -> mine);
            if (current == mine) {
                return validate(token, allowExpired, mine);
            }
            Cached c = join(current);
            // an answer given with allow_expired serves a request without it (the expiry is checked by the caller),
            // and a token accepted without it serves one with it; only a refusal without it says nothing
            if (c.token() != null || !allowExpired || c.expiredAllowed()) {
                return c.token();
            }
            if (cache.asMap().replace(token, current, mine)) {
                return validate(token, true, mine);
            }
            // another request is asking again with allow_expired: wait for its answer
        }
    }

    private ValidatedToken validate(String token, boolean allowExpired, CompletableFuture<Cached> answer) {
        try {
            ValidatedToken t = keystone.validate(token, allowExpired);
            answer.complete(new Cached(t, allowExpired));
            return t;
        } catch (RuntimeException | Error e) {
            // the cache drops a failed validation: the next request asks Keystone again
            answer.completeExceptionally(e);
            throw e;
        }
    }

    private static Cached join(CompletableFuture<Cached> validation) {
        try {
            return validation.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Caffeine's time source, read from the clock the expiry checks use (so a test's clock moves both). */
    private static Ticker ticker(Clock clock) {
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }
}
