package org.ferry.auth;

import org.ferry.config.EndpointUrls;
import org.openstack4j.api.OSClient;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Role;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;
import org.openstack4j.openstack.identity.v3.internal.BaseIdentityServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keystone's token validation call, {@code GET /v3/auth/tokens} with the token in {@code X-Subject-Token}, made as
 * Ferry's service user (OpenStack4j, logging in again when Ferry's own token runs out or is refused).
 */
final class KeystoneTokens {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneTokens.class);

    private final KeystoneAuthenticator.KeystoneSettings settings;
    private final Clock clock;
    /** Ferry's own token (its service user's), not a caller's X-Service-Token. */
    private volatile Token ownToken;

    KeystoneTokens(KeystoneAuthenticator.KeystoneSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * The token's data, or null when Keystone does not know it (404: unknown, revoked, or expired unless
     * {@code allowExpired}).
     *
     * @param allowExpired ask with {@code allow_expired=1}: Keystone then also answers for a token that expired
     *                     within its {@code [token] allow_expired_window}
     * @throws AuthenticationException (unavailable) when Keystone cannot answer
     */
    ValidatedToken validate(String token, boolean allowExpired) {
        Token t;
        try {
            t = fetch(token, allowExpired);
        } catch (org.openstack4j.api.exceptions.AuthenticationException e) {
            // Ferry's own token expired or was revoked: log in again once
            ownToken = null;
            try {
                t = fetch(token, allowExpired);
            } catch (RuntimeException again) {
                throw unavailable(again);
            }
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
        if (t == null || t.getExpires() == null) {
            return null;
        }
        Set<String> roles = t.getRoles() == null ? Set.of()
                : t.getRoles().stream().map(Role::getName).collect(Collectors.toSet());
        return new ValidatedToken(t.getUser() == null ? null : t.getUser().getId(),
                t.getProject() == null ? null : t.getProject().getId(), roles,
                RequestContext.CatalogEndpoint.fromToken(t), t.getExpires().toInstant());
    }

    private Token fetch(String token, boolean allowExpired) {
        client();
        return new SubjectTokens().get(token, allowExpired);
    }

    private AuthenticationException unavailable(RuntimeException e) {
        LOG.warn("token validation against {} failed: {}", settings.authUrl(), e.toString());
        return new AuthenticationException("identity service error: " + e.getMessage(), true);
    }

    /** Binds a client acting with Ferry's own token to the current thread (logging in when there is none). */
    private OSClient.OSClientV3 client() {
        Token own = ownToken;
        if (own == null || own.getExpires() == null
                || own.getExpires().toInstant().isBefore(clock.instant().plusSeconds(60))) {
            synchronized (this) {
                own = ownToken;
                if (own == null || own.getExpires() == null
                        || own.getExpires().toInstant().isBefore(clock.instant().plusSeconds(60))) {
                    OSClient.OSClientV3 os = OSFactory.builderV3()
                            .endpoint(EndpointUrls.keystoneV3(settings.authUrl()))
                            .credentials(settings.username(), settings.password(),
                                    Identifier.byName(settings.userDomainName()))
                            .scopeToProject(Identifier.byName(settings.projectName()),
                                    Identifier.byName(settings.projectDomainName()))
                            .authenticate();
                    ownToken = os.getToken();
                    return os;
                }
            }
        }
        return OSFactory.clientFromToken(own);
    }

    /**
     * OpenStack4j's {@code tokens().get} cannot send {@code allow_expired}; this is the same call with the query
     * parameter keystonemiddleware adds when a valid service token vouches for the request. It runs in the
     * session {@link #client()} bound to the current thread.
     */
    private static final class SubjectTokens extends BaseIdentityServices {
        Token get(String subjectToken, boolean allowExpired) {
            return get(KeystoneToken.class, "/auth/tokens")
                    .header("X-Subject-Token", subjectToken)
                    .param(allowExpired, "allow_expired", 1)
                    .execute();
        }
    }
}
