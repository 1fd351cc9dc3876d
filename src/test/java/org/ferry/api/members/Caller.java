package org.ferry.api.members;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One identity calling a no-auth {@link TestFerry} (X-Project-Id, X-Roles, X-User-Id), with
 * {@code Accept: application/json} so errors come back as WebOb JSON, and the few calls the sharing and location
 * tests repeat.
 */
public final class Caller {
    public static final String V21 = "application/openstack-images-v2.1-json-patch";
    public static final String V20 = "application/openstack-images-v2.0-json-patch";

    private final TestFerry ferry;
    private final String[] identity;
    public final String project;

    private Caller(TestFerry ferry, String project, String... identity) {
        this.ferry = ferry;
        this.project = project;
        this.identity = identity;
    }

    /** Ferry's default no-auth caller: admin (and member, reader) of project "ferry". */
    public static Caller admin(TestFerry ferry) {
        return new Caller(ferry, "ferry");
    }

    public static Caller as(TestFerry ferry, String project, String roles) {
        return new Caller(ferry, project, "X-Project-Id", project, "X-Roles", roles, "X-User-Id", project + "-user");
    }

    /** roles member, reader of {@code project}. */
    public static Caller member(TestFerry ferry, String project) {
        return as(ferry, project, "member,reader");
    }

    private String[] headers(String... extra) {
        List<String> h = new ArrayList<>(List.of("Accept", "application/json"));
        h.addAll(Arrays.asList(identity));
        h.addAll(Arrays.asList(extra));
        return h.toArray(String[]::new);
    }

    public TestResponse call(String method, String path, String contentType, byte[] body, String... extra) {
        return ferry.call(method, path, contentType, body, headers(extra));
    }

    public TestResponse get(String path) {
        return call("GET", path, null, null);
    }

    public TestResponse delete(String path) {
        return call("DELETE", path, null, null);
    }

    public TestResponse post(String path, String json) {
        return call("POST", path, "application/json", json == null ? null : json.getBytes());
    }

    public TestResponse put(String path, String json) {
        return call("PUT", path, "application/json", json == null ? null : json.getBytes());
    }

    public TestResponse patch(String id, String json) {
        return call("PATCH", "/v2/images/" + id, V21, json.getBytes());
    }

    public TestResponse patch(String id, String contentType, String json) {
        return call("PATCH", "/v2/images/" + id, contentType, json.getBytes());
    }

    /** A new raw/bare image with extra JSON members ("" for none); returns its id. */
    public String createRaw(String extraMembers) {
        TestResponse r = post("/v2/images", "{\"disk_format\":\"raw\",\"container_format\":\"bare\""
                + (extraMembers.isEmpty() ? "" : "," + extraMembers) + "}");
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    public void upload(String id, byte[] data) {
        TestResponse r = call("PUT", "/v2/images/" + id + "/file", "application/octet-stream", data);
        assertEquals(204, r.status(), r.text());
    }

    public JsonNode show(String id) {
        TestResponse r = get("/v2/images/" + id);
        assertEquals(200, r.status(), r.text());
        return r.json();
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
        String message = r.json().path("message").asText();
        assertTrue(message.contains(phrase), "message '" + message + "' lacks '" + phrase + "'");
    }
}
