package org.ferry.api;

import org.ferry.testing.ApiClient.RawResponse;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §10: WebOb error bodies by Accept, 404/405/501 routing errors, body_reject. */
class ErrorRenderingTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient api = ApiClient.admin(ferry);

    @Test
    void jsonErrorsForAcceptApplicationJson() {
        String id = UUID.randomUUID().toString();
        TestResponse r = ferry.get("/v2/images/" + id, "Accept", "application/json");
        assertEquals(404, r.status());
        assertEquals("application/json", r.header("Content-Type").split(";")[0]);
        assertEquals("{\"message\": \"No image found with ID " + id + "<br /><br />\\n\\n\\n\", "
                + "\"code\": \"404 Not Found\", \"title\": \"Not Found\"}", r.text());
        assertEquals("No image found with ID " + id + "<br /><br />\n\n\n", r.json().get("message").asText());
    }

    @Test
    void htmlErrorsForAcceptAnything() {
        String id = UUID.randomUUID().toString();
        for (String accept : List.of("*/*", "text/html", "text/html, application/json")) {
            TestResponse r = ferry.get("/v2/images/" + id, "Accept", accept);
            assertEquals(404, r.status());
            assertEquals("text/html; charset=UTF-8", r.header("Content-Type"), accept);
            assertEquals("<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n"
                    + "  No image found with ID " + id + "<br /><br />\n\n\n\n </body>\n</html>", r.text(), accept);
        }
    }

    @Test
    void plainTextErrorsWithoutAccept() {
        String id = UUID.randomUUID().toString();
        TestResponse r = ferry.get("/v2/images/" + id);
        assertEquals(404, r.status());
        assertEquals("text/plain; charset=UTF-8", r.header("Content-Type"));
        assertEquals("404 Not Found\n\nNo image found with ID " + id + "\n\n   ", r.text());
        TestResponse other = ferry.get("/v2/images/" + id, "Accept", "image/png");
        assertEquals("text/plain; charset=UTF-8", other.header("Content-Type"), "nothing acceptable: plain");
    }

    @Test
    void anEmptyExplanationUsesWebObsDefaultSentence() {
        TestResponse r = ferry.get("/v2/no-such-thing", "Accept", "application/json");
        assertEquals(404, r.status());
        assertEquals("The resource could not be found.<br /><br />\n\n\n", r.json().get("message").asText());
        assertEquals("Not Found", r.json().get("title").asText());
        TestResponse plain = ferry.get("/v2/no-such-thing");
        assertEquals("404 Not Found\n\nThe resource could not be found.\n\n   ", plain.text());
    }

    @Test
    void errorsOfOtherStatusesCarryTheirCodeAndTitle() {
        TestResponse bad = ferry.postJson("/v2/images", "{oops", "Accept", "application/json");
        assertEquals(400, bad.status());
        assertEquals("400 Bad Request", bad.json().get("code").asText());
        assertEquals("Bad Request", bad.json().get("title").asText());
        assertTrue(bad.json().get("message").asText().startsWith("Malformed JSON in request body."));
        TestResponse html = ferry.postJson("/v2/images", "{\"self\":\"x\"}", "Accept", "*/*");
        assertEquals(403, html.status());
        // WebOb html-escapes the explanation, quotes included
        assertTrue(html.text().contains("<h1>403 Forbidden</h1>\n  Attribute &#x27;self&#x27; is read-only.<br />"),
                html.text());
    }

    @Test
    void unknownRoutesAre404() {
        for (String path : List.of("/v2/nothing", "/v2/images/" + UUID.randomUUID() + "/nothing", "/v2/images/x/y/z/w",
                "/v2", "/v2/")) {
            TestResponse r = api.get(path);
            assertEquals(404, r.status(), path + ": " + r.text());
            assertTrue(r.header("x-openstack-request-id").startsWith("req-"));
        }
        assertEquals(404, api.post("/v2/nothing", "{}").status());
    }

    @Test
    void aWrongMethodOnAKnownPathIs405WithAllow() {
        String id = api.createRaw(null);
        TestResponse r = api.post("/v2/images/" + id, "{}");
        assertEquals(405, r.status(), r.text());
        assertEquals("405 Method Not Allowed", r.json().get("code").asText());
        assertEquals(Set.of("GET", "PATCH", "DELETE"), Set.of(r.header("Allow").split(",\\s*")));
        TestResponse list = api.put("/v2/images");
        assertEquals(405, list.status());
        assertEquals(Set.of("GET", "POST"), Set.of(list.header("Allow").split(",\\s*")));
        TestResponse tag = api.get("/v2/images/" + id + "/tags/x");
        assertEquals(405, tag.status());
        assertEquals(Set.of("PUT", "DELETE"), Set.of(tag.header("Allow").split(",\\s*")));
        assertEquals(405, api.delete("/v2/schemas/image").status());
        // unknown images behind a known template are still 405: the route is known
        assertEquals(405, api.post("/v2/images/" + UUID.randomUUID(), "{}").status());
    }

    @Test
    void aBodyOnAGetIs400() {
        RawResponse r = ApiClient.raw(ferry, "GET", "/v2/images", "{\"name\":\"x\"}", "Accept", "application/json",
                "Content-Type", "application/json");
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("A body is not expected with this request."), r.body());
        String id = api.createRaw(null);
        RawResponse show = ApiClient.raw(ferry, "GET", "/v2/images/" + id, "x", "Accept", "application/json");
        assertEquals(400, show.status(), show.body());
        RawResponse delete = ApiClient.raw(ferry, "DELETE", "/v2/images/" + id, "x", "Accept", "application/json");
        assertEquals(400, delete.status(), delete.body());
        assertTrue(delete.body().contains("A body is not expected with this request."), delete.body());
        assertEquals(200, api.get("/v2/images/" + id).status(), "the refused DELETE deleted nothing");
    }

    @Test
    void anUnknownHttpMethodIs501() {
        RawResponse r = ApiClient.raw(ferry, "BREW", "/v2/images", null, "Accept", "application/json");
        assertEquals(501, r.status(), r.body());
        assertTrue(r.headers().get("x-openstack-request-id").startsWith("req-"));
    }

    @Test
    void errorsAlsoCarryTheRequestId() {
        TestResponse r = ferry.get("/v2/images/" + UUID.randomUUID(), "X-Openstack-Request-ID", "trace-me");
        assertEquals(404, r.status());
        assertEquals("req-trace-me", r.header("x-openstack-request-id"));
        assertError(api.get("/v2/images?limit=x"), 400, "limit param must be an integer");
    }
}
