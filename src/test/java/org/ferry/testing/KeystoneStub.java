package org.ferry.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A WireMock Keystone v3 on 127.0.0.1: Ferry's service login, and token validation for tokens registered with
 * {@link #token}. Unregistered tokens get Keystone's 404. As Keystone does, a token registered as already expired
 * is answered (200, with its past {@code expires_at}) only when the validation asks {@code allow_expired=1}
 * (or {@code true}), and gets the 404 otherwise.
 */
public final class KeystoneStub implements AutoCloseable {
    public static final String SERVICE_TOKEN = "service-token";

    private final WireMockServer server;

    public KeystoneStub() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withHeader("X-Subject-Token", SERVICE_TOKEN)
                .withBody(tokenBody("glance-user", "service-project", List.of("admin", "service"),
                        Instant.now().plus(1, ChronoUnit.HOURS), "[]"))));
        server.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).atPriority(10).willReturn(notFound()));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public WireMockServer server() {
        return server;
    }

    /** Registers a token; {@code catalogJson} is a v3 catalog array ("[]" for none). */
    public KeystoneStub token(String token, String userId, String projectId, List<String> roles, Instant expires,
                              String catalogJson) {
        return token(token, userId, projectId, roles, expires, catalogJson, 0);
    }

    /** Registers a token whose validation answers after {@code delayMillis}. */
    public KeystoneStub token(String token, String userId, String projectId, List<String> roles, Instant expires,
                              String catalogJson, int delayMillis) {
        MappingBuilder validation = get(urlPathEqualTo("/v3/auth/tokens")).atPriority(1)
                .withHeader("X-Subject-Token", equalTo(token));
        if (!expires.isAfter(Instant.now())) {
            validation = validation.withQueryParam("allow_expired", matching("1|true|True"));
            server.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).atPriority(2)
                    .withHeader("X-Subject-Token", equalTo(token)).willReturn(notFound()));
        }
        server.stubFor(validation.willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("X-Subject-Token", token)
                .withBody(tokenBody(userId, projectId, roles, expires, catalogJson))
                .withFixedDelay(delayMillis)));
        return this;
    }

    /**
     * Answers a login (POST /v3/auth/tokens) whose body names {@code username} with {@code token} for that user in
     * {@code projectId}, ahead of the service login every other login gets.
     */
    public KeystoneStub login(String username, String token, String projectId, List<String> roles, Instant expires,
                              String catalogJson) {
        server.stubFor(post(urlPathEqualTo("/v3/auth/tokens")).atPriority(1)
                .withRequestBody(containing("\"" + username + "\"")).willReturn(aResponse().withStatus(201)
                        .withHeader("Content-Type", "application/json").withHeader("X-Subject-Token", token)
                        .withBody(tokenBody(username, projectId, roles, expires, catalogJson))));
        return this;
    }

    /** How many times Keystone was asked to validate the token, and how many of those asked allow_expired. */
    public int validations(String token, boolean allowExpired) {
        var pattern = getRequestedFor(urlPathEqualTo("/v3/auth/tokens")).withHeader("X-Subject-Token", equalTo(token));
        pattern = allowExpired ? pattern.withQueryParam("allow_expired", matching("1|true|True"))
                : pattern.withQueryParam("allow_expired", absent());
        return server.findAll(pattern).size();
    }

    private static ResponseDefinitionBuilder notFound() {
        return aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"code\": 404, \"title\": \"Not Found\", "
                        + "\"message\": \"Could not find token.\"}}");
    }

    public KeystoneStub token(String token, String userId, String projectId, List<String> roles) {
        return token(token, userId, projectId, roles, Instant.now().plus(1, ChronoUnit.HOURS), "[]");
    }

    /**
     * A Keystone knowing two tokens: {@code member-token} (demo-user, member and reader of demo-project) and
     * {@code admin-token} (admin-user, admin of admin-project).
     */
    public static KeystoneStub memberAndAdmin() {
        return new KeystoneStub()
                .token("member-token", "demo-user", "demo-project", List.of("member", "reader"))
                .token("admin-token", "admin-user", "admin-project", List.of("admin", "member", "reader"));
    }

    /** Image endpoints of several regions, one entry per (region, interface, url) triple. */
    public static String imageCatalog(String... regionInterfaceUrl) {
        StringBuilder eps = new StringBuilder();
        for (int i = 0; i + 2 < regionInterfaceUrl.length; i += 3) {
            if (eps.length() > 0) {
                eps.append(',');
            }
            eps.append("{\"id\":\"e").append(i).append("\",\"region\":\"").append(regionInterfaceUrl[i])
                    .append("\",\"region_id\":\"").append(regionInterfaceUrl[i]).append("\",\"interface\":\"")
                    .append(regionInterfaceUrl[i + 1]).append("\",\"url\":\"").append(regionInterfaceUrl[i + 2])
                    .append("\"}");
        }
        return "[{\"id\":\"s-image\",\"type\":\"image\",\"name\":\"glance\",\"endpoints\":[" + eps + "]}]";
    }

    /** A Keystone v3 token body, as a login (201) or a validation (200) answers it. */
    public static String tokenBody(String userId, String projectId, List<String> roles, Instant expires, String catalog) {
        String roleJson = roles.stream().map(r -> "{\"id\":\"role-" + r + "\",\"name\":\"" + r + "\"}")
                .collect(Collectors.joining(","));
        return "{\"token\":{\"methods\":[\"password\"],\"expires_at\":\"" + expires.truncatedTo(ChronoUnit.MICROS)
                + "\",\"issued_at\":\"" + Instant.now().truncatedTo(ChronoUnit.MICROS) + "\",\"user\":{\"id\":\""
                + userId + "\",\"name\":\"" + userId + "\",\"domain\":{\"id\":\"default\",\"name\":\"Default\"}},"
                + "\"project\":{\"id\":\"" + projectId + "\",\"name\":\"" + projectId
                + "\",\"domain\":{\"id\":\"default\",\"name\":\"Default\"}},\"roles\":[" + roleJson + "],"
                + "\"catalog\":" + catalog + "}}";
    }

    @Override
    public void close() {
        server.stop();
    }
}
