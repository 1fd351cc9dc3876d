package org.ferry.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service side of the one Glance client against a WireMock Glance: headers, answers, and how refusals read. */
class GlanceClientTest {
    static final String ID = "11111111-2222-3333-4444-555555555555";

    WireMockServer glance;
    final AtomicInteger tokensAsked = new AtomicInteger();
    GlanceClient client;

    @BeforeEach
    void start() {
        glance = new WireMockServer(options().dynamicPort().gzipDisabled(true));
        glance.start();
        client = GlanceClient.forService(new OkHttpClient(), () -> "token-" + tokensAsked.incrementAndGet(),
                "http://127.0.0.1:" + glance.port(), "RegionTwo", "req-run-1");
    }

    @AfterEach
    void stop() {
        glance.stop();
    }

    @Test
    void everyRequestCarriesAFreshTokenTheRequestIdAndAcceptsJson() throws Exception {
        glance.stubFor(get(urlPathEqualTo("/v2/images")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"images\":[{\"id\":\"" + ID + "\"}],\"next\":\"/v2/images?marker=" + ID + "\"}")));
        GlanceClient.Page page = client.firstPage(Map.of("visibility", List.of("public")));
        assertEquals(ID, page.images().get(0).path("id").asText());
        assertEquals("/v2/images?marker=" + ID, page.next());
        client.nextPage(page.next());
        glance.verify(getRequestedFor(urlEqualTo("/v2/images?visibility=public"))
                .withHeader("X-Auth-Token", equalTo("token-1"))
                .withHeader("X-Openstack-Request-Id", equalTo("req-run-1"))
                .withHeader("Accept", equalTo("application/json")));
        glance.verify(getRequestedFor(urlEqualTo("/v2/images?marker=" + ID))
                .withHeader("X-Auth-Token", equalTo("token-2")));
    }

    @Test
    void findIsEmptyOn404AndTypedOtherwise() throws Exception {
        glance.stubFor(get(urlEqualTo("/v2/images/missing")).willReturn(aResponse().withStatus(404)));
        glance.stubFor(get(urlEqualTo("/v2/images/" + ID)).willReturn(aResponse().withStatus(200)
                .withBody("{\"id\":\"" + ID + "\",\"status\":\"active\",\"size\":42,\"checksum\":\"abc\","
                        + "\"os_glance_importing_to_stores\":\"x\",\"hw_disk_bus\":\"scsi\",\"tags\":[\"t\"]}")));
        assertTrue(client.find("missing").isEmpty());
        GlanceImage img = client.find(ID).orElseThrow();
        assertEquals(42L, img.size());
        assertEquals(Map.of("hw_disk_bus", "scsi"), img.properties(), "core and os_glance_* are not properties");
        assertEquals("active", client.image(ID).status());
    }

    @Test
    void anUnexpectedAnswerNamesTheRegionTheCallThePathAndGlancesExplanation() {
        glance.stubFor(post(urlEqualTo("/v2/images/" + ID + "/import")).willReturn(aResponse().withStatus(409)
                .withBody("{\"message\":\"Image status transition from active to importing is not allowed\"}")));
        RemoteFailure e = assertThrows(RemoteFailure.class,
                () -> client.importGlanceDownload(ID, "RegionOne", ID, "public"));
        assertEquals("RegionTwo: glance-download import of image " + ID + " from RegionOne: POST /v2/images/" + ID
                + "/import answered 409: Image status transition from active to importing is not allowed",
                e.getMessage());

        glance.stubFor(get(urlEqualTo("/v2/images/" + ID + "/tasks")).willReturn(aResponse().withStatus(200)
                .withBody("<html>not json</html>")));
        RemoteFailure notJson = assertThrows(RemoteFailure.class, () -> client.tasks(ID));
        assertEquals("RegionTwo: tasks of image " + ID + ": the answer is not JSON: <html>not json</html>",
                notJson.getMessage());
    }

    @Test
    void aCreateConflictSaysTheIdIsTakenOrDeleted() {
        glance.stubFor(post(urlEqualTo("/v2/images")).willReturn(aResponse().withStatus(409)));
        ObjectNode body = new ObjectMapper().createObjectNode().put("id", ID);
        RemoteFailure e = assertThrows(RemoteFailure.class, () -> client.create(body));
        assertTrue(e.getMessage().startsWith("RegionTwo: an image with id " + ID + " already exists there"),
                e.getMessage());
    }

    @Test
    void deleteSendsAnEmptyBodyAndTakes404AsDone() throws Exception {
        glance.stubFor(delete(urlEqualTo("/v2/images/" + ID)).willReturn(aResponse().withStatus(404)));
        client.delete(ID);
        glance.verify(deleteRequestedFor(urlEqualTo("/v2/images/" + ID)).withHeader("Content-Length", equalTo("0")));
    }

    @Test
    void aTokenSourceFailureKeepsItsOwnMessage() {
        GlanceClient noLogin = GlanceClient.forService(new OkHttpClient(), () -> {
            throw new RemoteFailure("Keystone login at http://ks:5000 as replicator failed: HTTP 401");
        }, "http://127.0.0.1:" + glance.port(), "RegionTwo", "req-run-1");
        RemoteFailure e = assertThrows(RemoteFailure.class, () -> noLogin.find(ID));
        assertEquals("Keystone login at http://ks:5000 as replicator failed: HTTP 401", e.getMessage());
        assertEquals(0, glance.getAllServeEvents().size(), "nothing is sent without a token");
    }

    @Test
    void dataIsTheFileStreamedWithTheClientsToken() throws Exception {
        byte[] data = new byte[64 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        glance.stubFor(get(urlEqualTo("/v2/images/" + ID + "/file")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(data.length)).withBody(data)));
        try (ResumingStream in = client.data(ID, 3)) {
            assertEquals(data.length, in.contentLength());
            assertEquals("data of remote image " + ID, in.what());
            assertEquals("http://127.0.0.1:" + glance.port() + "/v2/images/" + ID + "/file", in.url());
            assertEquals(data.length, in.readAllBytes().length);
            assertEquals(0, in.resumes());
        }
        glance.verify(getRequestedFor(urlEqualTo("/v2/images/" + ID + "/file"))
                .withHeader("X-Auth-Token", equalTo("token-1")).withoutHeader("Range"));
    }
}
