package org.ferry.store.swift;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.ferry.auth.KeystoneLogin;
import org.ferry.auth.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One Swift account as a reference names it: logs in (Keystone v3, or Swift's v1 auth with {@code X-Auth-User}),
 * finds the storage URL (swift_store_endpoint, else the token catalog's object-store endpoint of swift_store_region
 * and swift_store_endpoint_type), keeps the token until it is about to expire and logs in again when Swift answers
 * 401. Requests are built against the storage URL; the token is added here. Or, for the multi-tenant store, a
 * caller's token on a storage URL ({@link #ofCaller}): used as it is, a 401 is the answer.
 */
final class SwiftAccount {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftAccount.class);

    private final SwiftReference ref;
    private final AccountOptions options;
    private final OkHttpClient http;
    /** A caller's token: never renewed. */
    private final Session fixed;
    private Session session;

    /** What the store's options say about finding the storage URL and renewing tokens. */
    record AccountOptions(String endpoint, String serviceType, String region, String endpointType,
                          Duration expireSoon) {
    }

    /** A token and the storage URL it works for; {@code expiresAt} null when the auth did not say. */
    private record Session(String token, HttpUrl storageUrl, Instant expiresAt) {
    }

    SwiftAccount(SwiftReference ref, AccountOptions options, OkHttpClient http) {
        this.ref = ref;
        this.options = options;
        this.http = http;
        this.fixed = null;
    }

    private SwiftAccount(String token, HttpUrl storageUrl, OkHttpClient http) {
        this.ref = null;
        this.options = null;
        this.http = http;
        this.fixed = new Session(token, storageUrl, null);
    }

    /** The account at a storage URL, used with a caller's token (Glance's multi-tenant store: preauthtoken). */
    static SwiftAccount ofCaller(String token, HttpUrl storageUrl, OkHttpClient http) {
        return new SwiftAccount(token, storageUrl, http);
    }

    SwiftReference reference() {
        return ref;
    }

    /** The storage URL with path segments appended (container, object: each escaped as one segment). */
    HttpUrl url(String... segments) throws IOException {
        HttpUrl.Builder b = session().storageUrl().newBuilder();
        for (String s : segments) {
            b.addPathSegment(s);
        }
        return b.build();
    }

    /**
     * Sends a request with the account's token; when Swift answers 401 (the token was revoked or expired early)
     * logs in again and sends it once more. Only for requests whose body can be sent twice (none, or in memory).
     */
    Response send(Request.Builder request) throws IOException {
        Session s = session();
        Response r = http.newCall(request.header("X-Auth-Token", s.token()).build()).execute();
        if (r.code() != 401 || fixed != null) {
            return r;
        }
        r.close();
        invalidate(s);
        return http.newCall(request.header("X-Auth-Token", session().token()).build()).execute();
    }

    /** The request with the current token, for a streamed body that cannot be sent twice. */
    Request authorized(Request.Builder request) throws IOException {
        return request.header("X-Auth-Token", session().token()).build();
    }

    /** Forgets the token a request was refused with (a newer one another thread got is kept). */
    synchronized void invalidate(String token) {
        if (fixed == null && session != null && session.token().equals(token)) {
            session = null;
        }
    }

    private synchronized void invalidate(Session s) {
        if (session == s) {
            session = null;
        }
    }

    private synchronized Session session() throws IOException {
        if (fixed != null) {
            return fixed;
        }
        if (session == null || session.expiresAt() != null
                && !Instant.now().isBefore(session.expiresAt().minus(options.expireSoon()))) {
            session = ref.authVersion().equals("1") ? loginV1() : loginV3();
            LOG.info("swift account {}: logged in, storage URL {}", ref, session.storageUrl());
        }
        return session;
    }

    /** Swift's own auth (tempauth, swauth): GET the auth address with the user and key. */
    private Session loginV1() throws IOException {
        Request req = new Request.Builder().url(ref.authAddress()).header("X-Auth-User", ref.user())
                .header("X-Auth-Key", ref.key()).build();
        try (Response r = http.newCall(req).execute()) {
            if (r.code() / 100 != 2) {
                throw new IOException("Swift auth at " + ref.authAddress() + " as " + ref.user() + " failed: HTTP "
                        + r.code());
            }
            String token = r.header("X-Auth-Token");
            String storage = options.endpoint().isEmpty() ? r.header("X-Storage-Url") : options.endpoint();
            if (token == null || storage == null || HttpUrl.parse(storage) == null) {
                throw new IOException("Swift auth at " + ref.authAddress() + " answered without a token or a storage "
                        + "URL");
            }
            String expires = r.header("X-Auth-Token-Expires");
            Instant expiresAt = null;
            if (expires != null && expires.matches("\\d+")) {
                expiresAt = Instant.now().plusSeconds(Long.parseLong(expires));
            }
            return new Session(token, HttpUrl.parse(storage), expiresAt);
        }
    }

    /** Keystone v3 with the reference's password ({@code project:user}) or application credential. */
    private Session loginV3() throws IOException {
        KeystoneLogin.IssuedToken t;
        if (!ref.applicationCredentialId().isEmpty()) {
            t = KeystoneLogin.applicationCredential(http, ref.authAddress(), ref.applicationCredentialId(),
                    ref.applicationCredentialSecret());
        } else {
            String[] parts = ref.user().split(":");
            if (parts.length != 2) {
                throw new IOException("Badly formed tenant:user '" + ref.user() + "' in Swift URI");
            }
            KeystoneLogin.Named userDomain = ref.userDomainName().isEmpty()
                    ? KeystoneLogin.Named.byId(ref.userDomainId()) : KeystoneLogin.Named.byName(ref.userDomainName());
            KeystoneLogin.Named projectDomain = ref.projectDomainName().isEmpty()
                    ? KeystoneLogin.Named.byId(ref.projectDomainId())
                    : KeystoneLogin.Named.byName(ref.projectDomainName());
            t = KeystoneLogin.password(http, ref.authAddress(), parts[1], userDomain, ref.key(),
                    KeystoneLogin.Named.byName(parts[0]), projectDomain);
        }
        String storage = options.endpoint().isEmpty() ? storageUrl(options, t.catalog()).orElseThrow(() -> new IOException(
                "the Keystone catalog of " + ref + " has no " + options.serviceType() + " endpoint of interface "
                        + options.endpointType() + (options.region().isEmpty() ? ""
                        : " in region " + options.region()))) : options.endpoint();
        HttpUrl url = HttpUrl.parse(storage);
        if (url == null) {
            throw new IOException("the storage URL " + storage + " of " + ref + " is not a URL");
        }
        return new Session(t.id(), url, t.expiresAt());
    }

    /** The reference, or for a caller's account its storage URL (never a token). */
    @Override
    public String toString() {
        return fixed != null ? "the account at " + fixed.storageUrl() : String.valueOf(ref);
    }

    /** The object-store endpoint of a token's catalog that the store's options name (service type, interface, region). */
    static Optional<String> storageUrl(AccountOptions options, List<RequestContext.CatalogEndpoint> catalog) {
        String iface = options.endpointType().replace("URL", "");
        return catalog.stream().filter(e -> options.serviceType().equals(e.serviceType()))
                .filter(e -> iface.equals(e.iface()))
                .filter(e -> options.region().isEmpty() || options.region().equals(e.region()))
                .map(RequestContext.CatalogEndpoint::url).findFirst();
    }
}
