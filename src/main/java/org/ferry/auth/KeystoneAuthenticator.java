package org.ferry.auth;

import org.openstack4j.api.OSClient;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Role;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Validates Keystone v3 tokens with OpenStack4j, authenticated as Ferry's service user. Validations are cached
 * until the token expires, and never longer than {@code cacheTime}; tokens Keystone refused are remembered briefly.
 */
public final class KeystoneAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);
    private static final int MAX_ENTRIES = 10_000;
    private static final Duration INVALID_CACHE_TIME = Duration.ofSeconds(10);

    private final KeystoneSettings settings;
    private final Duration cacheTime;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Validations running now, by token. */
    private final Map<String, CompletableFuture<Cached>> validating = new ConcurrentHashMap<>();
    private volatile Token serviceToken;

    public record KeystoneSettings(String authUrl, String wwwAuthenticateUri, String username, String password,
                                   String projectName, String userDomainName, String projectDomainName) {
    }

    private record Cached(Identity identity, Instant validUntil) {
    }

    /** What a validated token says about its bearer; {@code null} identity means Keystone refused the token. */
    private record Identity(String userId, String projectId, Set<String> roles, List<RequestContext.CatalogEndpoint> catalog) {
    }

    public KeystoneAuthenticator(KeystoneSettings settings, Duration cacheTime, Clock clock) {
        this.settings = settings;
        this.cacheTime = cacheTime;
        this.clock = clock;
    }

    @Override
    public String wwwAuthenticate() {
        return "Keystone uri=\"" + settings.wwwAuthenticateUri() + "\"";
    }

    @Override
    public RequestContext authenticate(String token, Function<String, String> headers, String requestId) {
        if (token == null || token.isBlank()) {
            throw new org.ferry.auth.AuthenticationException("no X-Auth-Token", false);
        }
        Instant now = clock.instant();
        Cached c = cache.get(token);
        if (c == null || !now.isBefore(c.validUntil())) {
            c = validateOnce(token, now);
        }
        Identity id = c.identity();
        if (id == null) {
            throw new org.ferry.auth.AuthenticationException("token is not valid", false);
        }
        return new RequestContext(requestId, id.userId(), id.projectId(), id.roles(), token, id.catalog(), false);
    }

    /**
     * One validation of a token at a time: requests that arrive while it runs wait for its answer instead of asking
     * Keystone too. Without this, every request in flight when a cached validation expired asked Keystone at once
     * (benchmark: 16 concurrent GETs, 16 validations of one token, Keystone on a loaded machine timed out and eight
     * requests got 503).
     */
    private Cached validateOnce(String token, Instant now) {
        CompletableFuture<Cached> mine = new CompletableFuture<>();
        CompletableFuture<Cached> running = validating.putIfAbsent(token, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
        }
        try {
            Cached c = validate(token, now);
            remember(token, c, now);
            mine.complete(c);
            return c;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            validating.remove(token, mine);
        }
    }

    private void remember(String token, Cached c, Instant now) {
        if (cache.size() >= MAX_ENTRIES) {
            cache.values().removeIf(e -> !now.isBefore(e.validUntil()));
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
        }
        cache.put(token, c);
    }

    private Cached validate(String token, Instant now) {
        Token t;
        try {
            t = client().identity().tokens().get(token);
        } catch (AuthenticationException e) {
            // the service token itself expired or was revoked: log in again once
            serviceToken = null;
            try {
                t = client().identity().tokens().get(token);
            } catch (RuntimeException again) {
                throw unavailable(again);
            }
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
        if (t == null || t.getExpires() == null || !t.getExpires().toInstant().isAfter(now)) {
            return new Cached(null, now.plus(INVALID_CACHE_TIME));
        }
        Instant expires = t.getExpires().toInstant();
        Set<String> roles = t.getRoles() == null ? Set.of()
                : t.getRoles().stream().map(Role::getName).collect(Collectors.toSet());
        List<RequestContext.CatalogEndpoint> catalog = RequestContext.CatalogEndpoint.fromToken(t);
        String project = t.getProject() == null ? null : t.getProject().getId();
        String user = t.getUser() == null ? null : t.getUser().getId();
        Instant until = expires.isBefore(now.plus(cacheTime)) ? expires : now.plus(cacheTime);
        return new Cached(new Identity(user, project, roles, catalog), until);
    }

    private org.ferry.auth.AuthenticationException unavailable(RuntimeException e) {
        LOG.warn("token validation against {} failed: {}", settings.authUrl(), e.toString());
        return new org.ferry.auth.AuthenticationException("identity service error: " + e.getMessage(), true);
    }

    /** A client bound to the current thread, acting with Ferry's service token (logging in when there is none). */
    private OSClient.OSClientV3 client() {
        Token st = serviceToken;
        if (st == null || st.getExpires() == null
                || st.getExpires().toInstant().isBefore(clock.instant().plusSeconds(60))) {
            synchronized (this) {
                st = serviceToken;
                if (st == null || st.getExpires() == null
                        || st.getExpires().toInstant().isBefore(clock.instant().plusSeconds(60))) {
                    OSClient.OSClientV3 os = OSFactory.builderV3()
                            .endpoint(v3(settings.authUrl()))
                            .credentials(settings.username(), settings.password(), Identifier.byName(settings.userDomainName()))
                            .scopeToProject(Identifier.byName(settings.projectName()),
                                    Identifier.byName(settings.projectDomainName()))
                            .authenticate();
                    serviceToken = os.getToken();
                    return os;
                }
            }
        }
        return OSFactory.clientFromToken(st);
    }

    static String v3(String authUrl) {
        String u = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
        return u.endsWith("/v3") ? u : u + "/v3";
    }
}
