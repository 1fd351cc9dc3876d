package org.ferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;
import org.ferry.testing.TestFerry.TestResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tests' client of a {@link TestFerry} in no-auth mode: every call carries one identity (X-Project-Id, X-Roles,
 * X-User-Id; none means Ferry's default admin of project "ferry") and {@code Accept: application/json}, so error
 * bodies come back as WebOb JSON whose {@code message} {@link #assertError} checks; plus the few calls the API,
 * sharing and location tests repeat.
 */
public final class ApiClient {
    public static final String V21 = "application/openstack-images-v2.1-json-patch";
    public static final String V20 = "application/openstack-images-v2.0-json-patch";
    public static final String MEMBER_ROLES = "member,reader";

    private final Transport transport;
    private final String[] identity;
    /** The caller's project. */
    public final String project;

    /** Sends one request: to a {@link TestFerry} in this JVM, or to a Ferry in another process. */
    @FunctionalInterface
    private interface Transport {
        TestResponse call(String method, String path, String contentType, byte[] body, String... headers);
    }

    private ApiClient(Transport transport, String project, String... identity) {
        this.transport = transport;
        this.project = project;
        this.identity = identity;
    }

    /** The default no-auth caller: admin of project "ferry". */
    public static ApiClient admin(TestFerry ferry) {
        return new ApiClient(ferry::call, "ferry");
    }

    /** The default no-auth caller of a Ferry running in another process, listening at {@code baseUrl}. */
    public static ApiClient at(String baseUrl) {
        OkHttpClient http = new OkHttpClient();
        return new ApiClient((method, path, contentType, body, headers) ->
                TestFerry.send(http, baseUrl, method, path, contentType, body, headers), "ferry");
    }

    /** A caller of {@code project} with the given comma-separated roles. */
    public static ApiClient as(TestFerry ferry, String project, String roles) {
        return new ApiClient(ferry::call, project, "X-Project-Id", project, "X-Roles", roles, "X-User-Id", project + "-user");
    }

    /** A member (roles member,reader) of {@code project}. */
    public static ApiClient member(TestFerry ferry, String project) {
        return as(ferry, project, MEMBER_ROLES);
    }

    private String[] headers(String... extra) {
        List<String> h = new ArrayList<>(List.of("Accept", "application/json"));
        h.addAll(Arrays.asList(identity));
        h.addAll(Arrays.asList(extra));
        return h.toArray(String[]::new);
    }

    public TestResponse call(String method, String path, String contentType, byte[] body, String... extra) {
        return transport.call(method, path, contentType, body, headers(extra));
    }

    /** The status of GET {@code path}, or -1 when nothing answers (yet): for waiting on a starting Ferry. */
    public int statusOf(String path) {
        try {
            return get(path).status();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    public TestResponse get(String path, String... extra) {
        return call("GET", path, null, null, extra);
    }

    public TestResponse delete(String path, String... extra) {
        return call("DELETE", path, null, null, extra);
    }

    public TestResponse post(String path, String json, String... extra) {
        return call("POST", path, "application/json", json == null ? null : json.getBytes(), extra);
    }

    /** PUT without a body (tags). */
    public TestResponse put(String path) {
        return call("PUT", path, null, null);
    }

    /** PUT with a JSON body ({@code null}: none). */
    public TestResponse put(String path, String json) {
        return call("PUT", path, "application/json", json == null ? null : json.getBytes());
    }

    public TestResponse patch(String id, String contentType, String json) {
        return call("PATCH", "/v2/images/" + id, contentType, json.getBytes());
    }

    /** PATCH with the v2.1 (glanceclient) media type. */
    public TestResponse patch(String id, String json) {
        return patch(id, V21, json);
    }

    /** POST /v2/images; asserts 201 and returns the image view. */
    public JsonNode create(String json) {
        TestResponse r = post("/v2/images", json);
        assertEquals(201, r.status(), r.text());
        return r.json();
    }

    /** A queued raw/bare image with the given extra JSON members (may be empty), returns its id. */
    public String createRaw(String extraMembers) {
        String body = "{\"disk_format\":\"raw\",\"container_format\":\"bare\""
                + (extraMembers == null || extraMembers.isEmpty() ? "" : "," + extraMembers) + "}";
        return create(body).get("id").asText();
    }

    /** PUT /v2/images/{id}/file; asserts 204. */
    public void upload(String id, byte[] data) {
        TestResponse r = call("PUT", "/v2/images/" + id + "/file", "application/octet-stream", data);
        assertEquals(204, r.status(), r.text());
    }

    /** A raw/bare image made active by uploading {@code size} bytes. */
    public String createActive(String extraMembers, int size) {
        String id = createRaw(extraMembers);
        upload(id, new byte[size]);
        return id;
    }

    /** GET /v2/images/{id}; asserts 200. */
    public JsonNode show(String id) {
        TestResponse r = get("/v2/images/" + id);
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    /** GET /v2/images/{id} whatever its status: for polling an image while its Ferry restarts. */
    public JsonNode image(String id) {
        return get("/v2/images/" + id).json();
    }

    /** POST /v2/images/{id}/import with {@code json}. */
    public TestResponse importImage(String id, String json) {
        return post("/v2/images/" + id + "/import", json);
    }

    /** The image's tasks (GET /v2/images/{id}/tasks). */
    public JsonNode tasks(String id) {
        return get("/v2/images/" + id + "/tasks").json().get("tasks");
    }

    /** Ids of GET /v2/images{query}. */
    public List<String> list(String query) {
        TestResponse r = get("/v2/images" + query);
        assertEquals(200, r.status(), r.text());
        List<String> ids = new ArrayList<>();
        r.json().get("images").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    /** Asserts the status and that the WebOb JSON error message contains {@code phrase}. */
    public static void assertError(TestResponse r, int status, String phrase) {
        assertEquals(status, r.status(), r.text());
        JsonNode body = r.json();
        String message = body.path("message").asText();
        assertTrue(message.contains(phrase), "message '" + message + "' lacks '" + phrase + "'");
        assertTrue(body.path("code").asText().startsWith(status + " "), r.text());
    }

    /** A request okhttp refuses to send (GET with a body, unknown methods): raw java.net.http. */
    public static RawResponse raw(TestFerry ferry, String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ferry.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> h = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(), v.get(0)));
            return new RawResponse(r.statusCode(), h, r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record RawResponse(int status, Map<String, String> headers, String body) {
    }
}
