package org.ferry.replication.clients;

import okhttp3.OkHttpClient;
import org.ferry.auth.RequestContext;
import org.ferry.auth.KeystoneLogin;
import org.ferry.remote.ImageEndpoints;
import org.ferry.remote.RemoteFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job's Keystone identity: a project-scoped token for its user or for its application credential
 * ({@link KeystoneLogin}). The token is renewed when less than {@link #RENEW_BEFORE} (or half its lifetime, if
 * shorter) is left, so a request never goes out with a token about to expire. Only the token id, expiry and catalog
 * are kept: OpenStack4j's client is bound to the thread that logged in, and nothing here uses it afterwards.
 */
public final class KeystoneSession implements ServiceSession {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneSession.class);
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final Credentials credentials;
    private final OkHttpClient http;
    private final Clock clock;
    private ServiceToken current;

    /** A token and what it says: expiry, issue time and the image endpoints of its catalog. */
    record ServiceToken(String id, Instant issuedAt, Instant expiresAt, List<RequestContext.CatalogEndpoint> catalog) {
        boolean due(Instant now) {
            Duration life = Duration.between(issuedAt == null ? now : issuedAt, expiresAt);
            Duration margin = life.dividedBy(2).compareTo(RENEW_BEFORE) < 0 ? life.dividedBy(2) : RENEW_BEFORE;
            return !now.isBefore(expiresAt.minus(margin));
        }
    }

    public KeystoneSession(Credentials credentials, OkHttpClient http, Clock clock) {
        if (!credentials.keystone()) {
            throw new IllegalArgumentException("not Keystone credentials: " + credentials);
        }
        this.credentials = credentials;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String token() throws ReplicationFailure {
        return valid().id();
    }

    @Override
    public String imageEndpoint(String region, String iface) throws ReplicationFailure {
        try {
            return ImageEndpoints.resolve(valid().catalog(), region, iface);
        } catch (RemoteFailure e) {
            throw new ReplicationFailure(e.getMessage());
        }
    }

    private synchronized ServiceToken valid() throws ReplicationFailure {
        if (current == null || current.due(clock.instant())) {
            boolean renewing = current != null;
            current = login();
            LOG.info("{} Keystone token for {} (expires {})", renewing ? "renewed the" : "obtained a", credentials,
                    current.expiresAt());
        }
        return current;
    }

    private ServiceToken login() throws ReplicationFailure {
        try {
            KeystoneLogin.IssuedToken t;
            if (credentials instanceof Credentials.Password p) {
                t = KeystoneLogin.password(http, p.authUrl(), p.username(),
                        KeystoneLogin.Named.byName(p.userDomainName()), p.password(),
                        KeystoneLogin.Named.byName(p.projectName()), KeystoneLogin.Named.byName(p.projectDomainName()));
            } else {
                Credentials.ApplicationCredential a = (Credentials.ApplicationCredential) credentials;
                t = KeystoneLogin.applicationCredential(http, a.authUrl(), a.id(), a.secret());
            }
            return new ServiceToken(t.id(), t.issuedAt(), t.expiresAt(), t.catalog());
        } catch (IOException e) {
            throw new ReplicationFailure(e.getMessage(), e);
        }
    }

}
