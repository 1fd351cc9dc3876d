package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * http_retries: the hash of a location is read again after a broken read, at most http_retries times in all; when
 * every read breaks, a validated import fails and an unvalidated one leaves the active image without hashes.
 */
class HashRetriesTest {
    static final byte[] DATA = WebImages.randomBytes(1024 * 1024 + 5, 3);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").putAll(Map.of("enabled_backends", "fast:file, web:http", "http_retries", "2")));
    static final ApiClient owner = ApiClient.member(ferry, "proj-a");
    static final ApiClient cinder = ApiClient.as(ferry, "proj-a", "member,reader,service");

    /** HEAD answers the size; GET breaks off in the body {@code failures} times (after the headers, so OkHttp itself does not retry), then serves the data. */
    static String flaky(String path, int failures) {
        web.server().stubFor(head(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(DATA.length))));
        String state = Scenario.STARTED;
        for (int i = 0; i < failures; i++) {
            String next = "failed-" + (i + 1);
            web.server().stubFor(get(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withFault(Fault.MALFORMED_RESPONSE_CHUNK)).willSetStateTo(next));
            state = next;
        }
        web.server().stubFor(get(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Length", String.valueOf(DATA.length))
                        .withBody(DATA)));
        return web.url(path);
    }

    static JsonNode finishedTask(String id) {
        JsonNode[] task = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode tasks = owner.get("/v2/images/" + id + "/tasks").json().get("tasks");
            task[0] = tasks.isEmpty() ? null : tasks.get(0);
            return task[0] != null && (task[0].get("status").asText().equals("success")
                    || task[0].get("status").asText().equals("failure"));
        });
        return task[0];
    }

    static String post(String id, String url, String sha256) {
        String body = "{\"url\":\"" + url + "\"" + (sha256 == null ? "" : ",\"validation_data\":{\"os_hash_algo\":"
                + "\"sha256\",\"os_hash_value\":\"" + sha256 + "\"}") + "}";
        var r = cinder.post("/v2/images/" + id + "/locations", body);
        assertEquals(202, r.status(), r.text());
        return id;
    }

    @Test
    void aBrokenReadIsRetried() {
        String url = flaky("/retry/once.raw", 1);
        String id = post(owner.createRaw(""), url, WebImages.hex("SHA-256", DATA));
        assertEquals("success", finishedTask(id).get("status").asText());
        JsonNode img = owner.show(id);
        assertEquals("active", img.get("status").asText());
        assertEquals(WebImages.hex("SHA-256", DATA), img.get("os_hash_value").asText());
        assertEquals(2, web.server().findAll(getRequestedFor(urlEqualTo("/retry/once.raw"))).size());
    }

    @Test
    void aValidatedImportFailsWhenEveryReadBreaks() {
        String url = flaky("/retry/never.raw", 5);
        String id = post(owner.createRaw(""), url, WebImages.hex("SHA-256", DATA));
        JsonNode task = finishedTask(id);
        assertEquals("failure", task.get("status").asText());
        assertTrue(task.get("message").asText().contains("Hash calculation failed for image " + id + " data"),
                task.toString());
        assertEquals("queued", owner.show(id).get("status").asText());
        assertEquals(2, web.server().findAll(getRequestedFor(urlEqualTo("/retry/never.raw"))).size(),
                "http_retries = 2 reads in all");
    }

    @Test
    void anUnvalidatedImageStaysActiveWithoutHashes() {
        String url = flaky("/retry/never-plain.raw", 5);
        String id = post(owner.createRaw(""), url, null);
        JsonNode task = finishedTask(id);
        assertEquals("success", task.get("status").asText(), "the location add itself succeeded");
        assertTrue(task.get("message").asText().contains("Hash calculation failed"), task.toString());
        JsonNode img = owner.show(id);
        assertEquals("active", img.get("status").asText());
        assertTrue(img.get("os_hash_value").isNull() && img.get("checksum").isNull(), img.toString());
        assertEquals(DATA.length, img.get("size").asLong(), "the size the store reported");
    }
}
