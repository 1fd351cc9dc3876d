package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.ferry.testing.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertBackToQueued;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.failure;
import static org.ferry.routes.RouteKit.importImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.staging;
import static org.ferry.routes.RouteKit.tasks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** web-download (§4.5, §4.7: the URI at the API, every redirect hop in the task) and glance-direct successes. */
class WebDownloadAndDirectTest {
    @RegisterExtension
    static final WebServer web = WebServer.started();
    @RegisterExtension
    static final ResetServer resets = ResetServer.started();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "import_filtering_opts").put("disallowed_ports", "[25, 6666]")).anyPort();
    static final String base = "http://127.0.0.1:" + web.port();

    private static String webDownload(String uri, String extra) {
        return "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + uri + "\"}" + extra + "}";
    }

    @Test
    void webDownloadIntoTheDefaultStore() {
        byte[] data = random(1_700_000);
        web.stubFor(get(urlPathEqualTo("/images/one.raw")).willReturn(aResponse().withBody(data)));
        String id = create(ferry);
        accepted(ferry, id, webDownload(base + "/images/one.raw", ""));
        JsonNode task = awaitTask(ferry, id, "success");
        assertEquals("Copied 1 MiB", task.get("message").asText());
        JsonNode img = show(ferry, id);
        assertActive(img, data, "fast");
        assertEquals("raw", img.get("disk_format").asText());
        assertEquals("ide", img.get("hw_disk_bus").asText());
        assertStagingClean(ferry, id);
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body());
    }

    @Test
    void webDownloadIntoAllStoresThroughAnAllowedRedirect() {
        byte[] data = random(200_000);
        web.stubFor(get(urlPathEqualTo("/moved")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "/images/two.raw")));
        web.stubFor(get(urlPathEqualTo("/images/two.raw")).willReturn(aResponse().withBody(data)));
        String id = create(ferry);
        accepted(ferry, id, webDownload(base + "/moved", ",\"all_stores\":true"));
        awaitTask(ferry, id, "success");
        assertActive(show(ferry, id), data, "cheap,fast");
        assertStagingClean(ferry, id);
    }

    @Test
    void urisThatFailFilteringAreRefusedAtTheApi() {
        String id = create(ferry);
        for (String uri : new String[] {"file:///etc/passwd", "ftp://127.0.0.1/x", "http://2130706433/x",
                "http://127.1/x", "http://127.0.0.1:25/x", "not a uri"}) {
            var r = importImage(ferry, id, webDownload(uri, ""));
            assertEquals(400, r.status(), uri + ": " + r.text());
            assertTrue(r.text().contains("URI for web-download does not pass filtering: " + uri), r.text());
        }
        assertEquals(0, tasks(ferry, id).size());
        assertEquals("queued", show(ferry, id).get("status").asText());
    }

    @Test
    void aHostThatDoesNotResolveIsAcceptedAndFailsTheTask() {
        // as Glance: names are resolved by the task, not the API (tempest's bad-url test expects 202)
        String id = create(ferry);
        accepted(ferry, id, webDownload("http://no-such-host.invalid/x", ""));
        String m = failure(ferry, id);
        assertTrue(m.contains("does not pass filtering") && m.contains("does not resolve"), m);
        assertEquals("fast", assertBackToQueued(ferry, id).get(FAILED).asText());
    }

    @Test
    void aRedirectToADisallowedPortFailsTheTask() {
        web.stubFor(get(urlPathEqualTo("/to-smtp")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:25/x")));
        String id = create(ferry);
        accepted(ferry, id, webDownload(base + "/to-smtp", ""));
        String m = failure(ferry, id);
        assertTrue(m.contains("does not pass filtering") && m.contains("port 25"), m);
        assertEquals("fast", assertBackToQueued(ferry, id).get(FAILED).asText());
    }

    @Test
    void tooManyRedirectsFailTheTask() {
        web.stubFor(get(urlPathEqualTo("/loop")).willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));
        String id = create(ferry);
        accepted(ferry, id, webDownload(base + "/loop", ""));
        assertTrue(failure(ferry, id).contains("more than 10 redirects"));
        assertBackToQueued(ferry, id);
    }

    @Test
    void aMissingUrlAndABrokenTransferFailTheTask() {
        web.stubFor(get(urlPathEqualTo("/gone")).willReturn(aResponse().withStatus(404)));
        String id = create(ferry);
        accepted(ferry, id, webDownload(base + "/gone", ""));
        assertTrue(failure(ferry, id).endsWith("/gone answered 404"));
        assertBackToQueued(ferry, id);

        byte[] data = random(500_000);
        resets.declared = data.length;
        resets.part = Arrays.copyOf(data, 200_000);
        String broken = create(ferry);
        accepted(ferry, broken, webDownload("http://127.0.0.1:" + resets.port() + "/a/file", ""));
        assertTrue(failure(ferry, broken).contains("failed after"));
        assertBackToQueued(ferry, broken);
        assertEquals(java.util.List.of(), RouteKit.files(staging(ferry)).stream()
                .filter(n -> n.endsWith(".part")).toList());
    }

    @Test
    void glanceDirectCommitsTheStagedData() {
        byte[] data = random(1_300_000);
        String id = create(ferry);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/stage", data).status());
        assertTrue(RouteKit.files(staging(ferry)).contains(id));
        accepted(ferry, id, "{\"method\":{\"name\":\"glance-direct\"},\"all_stores\":true}");
        awaitTask(ferry, id, "success");
        JsonNode img = show(ferry, id);
        assertActive(img, data, "cheap,fast");
        assertEquals("", img.get(FAILED).asText());
        assertStagingClean(ferry, id);
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body());
    }
}
