package org.ferry.replication.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.auth.RequestContext;
import org.ferry.config.EndpointUrls;
import org.ferry.remote.ImageEndpoints;
import org.ferry.remote.RemoteFailure;
import org.ferry.json.Jackson;
import org.openstack4j.api.OSClient;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's Keystone identity: a project-scoped token for its user (logged in with OpenStack4j) or for its
 * application credential (Keystone's application_credential method, which OpenStack4j 3.12 lacks, so that one is a
 * plain POST /v3/auth/tokens). The token is renewed when less than {@link #RENEW_BEFORE} (or half its lifetime, if
 * shorter) is left, so a request never goes out with a token about to expire. Only the token id, expiry and catalog
 * are kept: OpenStack4j's client is bound to the thread that logged in, and nothing here uses it afterwards.
 */
public final class KeystoneSession implements ServiceSession {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneSession.class);
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = Jackson.MAPPER;

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
            if (credentials instanceof Credentials.Password p) {
                OSClient.OSClientV3 os = OSFactory.builderV3()
                        .endpoint(EndpointUrls.keystoneV3(p.authUrl()))
                        .credentials(p.username(), p.password(), Identifier.byName(p.userDomainName()))
                        .scopeToProject(Identifier.byName(p.projectName()), Identifier.byName(p.projectDomainName()))
                        .authenticate();
                return of(os.getToken());
            }
            return applicationCredential((Credentials.ApplicationCredential) credentials);
        } catch (ReplicationFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ReplicationFailure("Keystone login at " + authUrl() + " as " + credentials + " failed: " + e.getMessage(), e);
        }
    }

    private String authUrl() {
        return credentials instanceof Credentials.Password p ? p.authUrl()
                : ((Credentials.ApplicationCredential) credentials).authUrl();
    }

    static ServiceToken of(Token t) throws ReplicationFailure {
        if (t == null || t.getId() == null || t.getExpires() == null) {
            throw new ReplicationFailure("Keystone answered without a token or its expiry");
        }
        List<RequestContext.CatalogEndpoint> catalog = RequestContext.CatalogEndpoint.fromToken(t);
        return new ServiceToken(t.getId(), t.getIssuedAt() == null ? null : t.getIssuedAt().toInstant(),
                t.getExpires().toInstant(), List.copyOf(catalog));
    }

    private ServiceToken applicationCredential(Credentials.ApplicationCredential a) throws ReplicationFailure {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        identity.putObject("application_credential").put("id", a.id()).put("secret", a.secret());
        Request req = new Request.Builder().url(EndpointUrls.keystoneV3(a.authUrl()) + "/auth/tokens")
                .post(RequestBody.create(body.toString(), MediaType.get("application/json"))).build();
        try (Response r = http.newCall(req).execute()) {
            String text = r.body() == null ? "" : r.body().string();
            if (r.code() != 201 && r.code() != 200) {
                throw new ReplicationFailure("Keystone login at " + a.authUrl() + " with application credential "
                        + a.id() + " failed: HTTP " + r.code() + " " + abbreviate(text));
            }
            String id = r.header("X-Subject-Token");
            JsonNode token = JSON.readTree(text).path("token");
            if (id == null || !token.hasNonNull("expires_at")) {
                throw new ReplicationFailure("Keystone answered without a token or its expiry");
            }
            List<RequestContext.CatalogEndpoint> catalog = new ArrayList<>();
            for (JsonNode s : token.path("catalog")) {
                for (JsonNode e : s.path("endpoints")) {
                    catalog.add(new RequestContext.CatalogEndpoint(s.path("type").asText(null),
                            s.path("name").asText(null),
                            e.hasNonNull("region") ? e.get("region").asText() : e.path("region_id").asText(null),
                            e.path("interface").asText(null), e.path("url").asText(null)));
                }
            }
            return new ServiceToken(id, token.hasNonNull("issued_at") ? Instant.parse(token.get("issued_at").asText())
                    : null, Instant.parse(token.get("expires_at").asText()), List.copyOf(catalog));
        } catch (IOException | java.time.format.DateTimeParseException e) {
            throw new ReplicationFailure("Keystone login at " + a.authUrl() + " failed: " + e.getMessage(), e);
        }
    }



    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
