package org.ferry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.config.EndpointUrls;
import org.ferry.json.Jackson;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs in to Keystone v3 as a service user of Ferry's (a replication job, a swift store's account): a project-scoped
 * token with its expiry and catalog. A password login goes through OpenStack4j; an application credential is a plain
 * {@code POST /v3/auth/tokens}, which OpenStack4j 3.12 lacks. Only the token id, times and catalog are kept:
 * OpenStack4j's client is bound to the thread that logged in.
 */
public final class KeystoneLogin {
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private KeystoneLogin() {
    }

    /** A token and what it says. {@code issuedAt} may be null. */
    public record IssuedToken(String id, Instant issuedAt, Instant expiresAt, List<RequestContext.CatalogEndpoint> catalog) {
    }

    /**
     * Logs in with a password, scoped to a project.
     *
     * @throws IOException with Keystone's refusal or the connection failure, never the password
     */
    public static KeystoneLogin.IssuedToken password(String authUrl, String user, Identifier userDomain, String password,
                                               Identifier project, Identifier projectDomain) throws IOException {
        try {
            var builder = OSFactory.builderV3().endpoint(EndpointUrls.keystoneV3(authUrl))
                    .credentials(user, password, userDomain);
            var os = project.getType() == Identifier.Type.ID ? builder.scopeToProject(project).authenticate()
                    : builder.scopeToProject(project, projectDomain).authenticate();
            return of(os.getToken());
        } catch (RuntimeException e) {
            throw new IOException("Keystone login at " + authUrl + " as user " + user + " in project " + project.getId()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static KeystoneLogin.IssuedToken of(Token t) throws IOException {
        if (t == null || t.getId() == null || t.getExpires() == null) {
            throw new IOException("Keystone answered without a token or its expiry");
        }
        return new KeystoneLogin.IssuedToken(t.getId(), t.getIssuedAt() == null ? null : t.getIssuedAt().toInstant(),
                t.getExpires().toInstant(), List.copyOf(RequestContext.CatalogEndpoint.fromToken(t)));
    }

    /** Logs in with an application credential (its project is the one it was made in). */
    public static KeystoneLogin.IssuedToken applicationCredential(OkHttpClient http, String authUrl, String id, String secret)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        identity.putObject("application_credential").put("id", id).put("secret", secret);
        Request req = new Request.Builder().url(EndpointUrls.keystoneV3(authUrl) + "/auth/tokens")
                .post(RequestBody.create(body.toString(), MediaType.get("application/json"))).build();
        try (Response r = http.newCall(req).execute()) {
            String text = r.body() == null ? "" : r.body().string();
            if (r.code() != 201 && r.code() != 200) {
                throw new IOException("Keystone login at " + authUrl + " with application credential " + id
                        + " failed: HTTP " + r.code() + " " + abbreviate(text));
            }
            String token = r.header("X-Subject-Token");
            JsonNode t = JSON.readTree(text).path("token");
            if (token == null || !t.hasNonNull("expires_at")) {
                throw new IOException("Keystone answered without a token or its expiry");
            }
            List<RequestContext.CatalogEndpoint> catalog = new ArrayList<>();
            for (JsonNode s : t.path("catalog")) {
                for (JsonNode e : s.path("endpoints")) {
                    catalog.add(new RequestContext.CatalogEndpoint(s.path("type").asText(null),
                            s.path("name").asText(null),
                            e.hasNonNull("region") ? e.get("region").asText() : e.path("region_id").asText(null),
                            e.path("interface").asText(null), e.path("url").asText(null)));
                }
            }
            return new KeystoneLogin.IssuedToken(token, t.hasNonNull("issued_at")
                    ? Instant.parse(t.get("issued_at").asText()) : null,
                    Instant.parse(t.get("expires_at").asText()), List.copyOf(catalog));
        } catch (DateTimeParseException e) {
            throw new IOException("Keystone login at " + authUrl + " failed: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
