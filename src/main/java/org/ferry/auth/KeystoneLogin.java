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

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs in to Keystone v3 as a service user of Ferry's (a replication job, a swift store's account): a project-scoped
 * token with its expiry and catalog, from one {@code POST /v3/auth/tokens} with a password or an application
 * credential. It goes through the caller's HTTP client, so its timeouts and TLS settings apply (a swift store's
 * swift_store_cacert, as Glance's Keystone session honours it); OpenStack4j's login would use a client of its own,
 * and it lacks the application credential method.
 */
public final class KeystoneLogin {
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private KeystoneLogin() {
    }

    /** A token and what it says. {@code issuedAt} may be null. */
    public record IssuedToken(String id, Instant issuedAt, Instant expiresAt,
                              List<RequestContext.CatalogEndpoint> catalog) {
    }

    /** A domain or project given by id or by name. */
    public record Named(String id, String name) {
        public static Named byId(String id) {
            return new Named(id, null);
        }

        public static Named byName(String name) {
            return new Named(null, name);
        }

        void into(ObjectNode node) {
            if (id != null) {
                node.put("id", id);
            } else {
                node.put("name", name);
            }
        }

        @Override
        public String toString() {
            return id != null ? id : name;
        }
    }

    /**
     * Logs in with a password, scoped to a project (a project given by name is looked up in {@code projectDomain}).
     *
     * @throws IOException with Keystone's refusal or the connection failure, never the password
     */
    public static IssuedToken password(OkHttpClient http, String authUrl, String user, Named userDomain,
                                       String password, Named project, Named projectDomain) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password);
        userDomain.into(u.putObject("domain"));
        ObjectNode p = auth.putObject("scope").putObject("project");
        project.into(p);
        if (project.id() == null) {
            projectDomain.into(p.putObject("domain"));
        }
        return login(http, authUrl, body, "as user " + user + " in project " + project);
    }

    /** Logs in with an application credential (its project is the one it was made in). */
    public static IssuedToken applicationCredential(OkHttpClient http, String authUrl, String id, String secret)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        identity.putObject("application_credential").put("id", id).put("secret", secret);
        return login(http, authUrl, body, "with application credential " + id);
    }

    private static IssuedToken login(OkHttpClient http, String authUrl, ObjectNode body, String who)
            throws IOException {
        Request req = new Request.Builder().url(EndpointUrls.keystoneV3(authUrl) + "/auth/tokens")
                .post(RequestBody.create(body.toString(), MediaType.get("application/json"))).build();
        try (Response r = http.newCall(req).execute()) {
            String text = r.body() == null ? "" : r.body().string();
            if (r.code() != 201 && r.code() != 200) {
                throw new IOException("Keystone login at " + authUrl + " " + who + " failed: HTTP " + r.code() + " "
                        + abbreviate(text));
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
            return new IssuedToken(token, t.hasNonNull("issued_at") ? Instant.parse(t.get("issued_at").asText())
                    : null, Instant.parse(t.get("expires_at").asText()), List.copyOf(catalog));
        } catch (DateTimeParseException e) {
            throw new IOException("Keystone login at " + authUrl + " " + who + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Keystone ")) {
                throw e;
            }
            throw new IOException("Keystone login at " + authUrl + " " + who + " failed: " + e, e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
