package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertBackToQueued;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.failure;
import static org.ferry.routes.RouteKit.glanceDownload;
import static org.ferry.routes.RouteKit.remoteImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * glance-download failures (§4.4 outcome table, §11 #1, #6, #7, #9, #17, #21): every one is a 202 then a task
 * failure with the real reason, and the image is back to queued with its formats and properties as before.
 */
class GlanceDownloadFailureTest {
    static final String TOKEN = "gdf-member";
    static final String[] AUTH = {"X-Auth-Token", TOKEN};
    static final long CAP = 1 << 20;

    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static GlanceStub remote;
    static WireMockServer other;
    static ResetServer resets;
    static TestFerry ferry;

    @BeforeAll
    static void start() throws Exception {
        remote = GlanceStub.started();
        other = TestFerry.wiremock();
        resets = new ResetServer();
        String catalog = KeystoneStub.imageCatalog(
                "RegionTwo", "public", remote.v2Url(),
                "RegionReset", "public", "http://127.0.0.1:" + resets.port());
        keystone = new KeystoneStub().token(TOKEN, "gdf-user", "gdf-project", List.of("member", "reader"),
                Instant.now().plus(2, ChronoUnit.HOURS), catalog);
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.keystone(c, keystone.url());
        TestFerry.section(c, "import_filtering_opts").put("allowed_hosts", "[127.0.0.1, localhost]");
        TestFerry.section(c, "task").put("remote_read_timeout", "2");
        TestFerry.section(c, "DEFAULT").put("image_size_cap", String.valueOf(CAP));
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
        remote.stop();
        other.stop();
        resets.close();
        keystone.close();
    }

    /** A local image with a property the remote would overwrite; the remote image's id. */
    private record Case(String id, String remoteId) {
    }

    /** Serves a remote image whose metadata carries properties and formats that a revert must take back. */
    private static Case prepare(ObjectNode meta, byte[] data) {
        meta.put("hw_disk_bus", "virtio").put("os_distro", "ubuntu");
        remote.image(meta, data);
        return new Case(create(ferry, AUTH), meta.get("id").asText());
    }

    /** Runs the import to its failure; checks the image is exactly as before; returns the task message. */
    private static String failed(Case c, String region, String extra) {
        return failedWith(c, glanceDownload(region, c.remoteId(), extra));
    }

    private static String failedWith(Case c, String body) {
        accepted(ferry, c.id(), body, AUTH);
        String message = failure(ferry, c.id(), AUTH);
        JsonNode img = assertBackToQueued(ferry, c.id(), AUTH);
        assertEquals("raw", img.get("disk_format").asText(), img.toString());
        assertEquals("bare", img.get("container_format").asText(), img.toString());
        assertEquals("ide", img.get("hw_disk_bus").asText(), img.toString());
        assertFalse(img.has("os_distro"), img.toString());
        assertEquals("fast", img.get(FAILED).asText(), img.toString());
        return message;
    }

    private static String failedFile(ResponseDefinitionBuilder fileResponse, ObjectNode meta, byte[] data) {
        Case c = prepare(meta, data);
        remote.dataAnswer(c.remoteId(), fileResponse);
        return failed(c, "RegionTwo", "");
    }

    @Test
    void unknownRegion() {
        byte[] data = random(1000);
        String m = failed(prepare(remoteImage(uuid(), data), data), "RegionX", "");
        assertEquals("no image endpoint for region RegionX, interface public in the token's catalog", m);
    }

    @Test
    void unknownInterface() {
        byte[] data = random(1000);
        Case c = prepare(remoteImage(uuid(), data), data);
        String body = "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"RegionTwo\","
                + "\"glance_image_id\":\"" + c.remoteId() + "\",\"glance_service_interface\":\"admin\"}}";
        assertEquals("no image endpoint for region RegionTwo, interface admin in the token's catalog",
                failedWith(c, body));
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403, 404, 500})
    void remoteErrorStatus(int status) {
        byte[] data = random(1000);
        Case c = prepare(remoteImage(uuid(), data), data);
        remote.metadataAnswer(c.remoteId(), aResponse().withStatus(status));
        String m = failed(c, "RegionTwo", "");
        assertTrue(m.endsWith("/v2/images/" + c.remoteId() + " answered " + status), m);
    }

    @Test
    void remoteImageNotActive() {
        byte[] data = random(1000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("status", "queued");
        String m = failed(prepare(meta, data), "RegionTwo", "");
        assertTrue(m.contains("is queued, not active"), m);
    }

    @Test
    void connectionResetBeforeTheResponse() {
        byte[] data = random(1000);
        String m = failedFile(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), remoteImage(uuid(), data), data);
        assertTrue(m.toLowerCase(Locale.ROOT).contains("reset") || m.contains("end of stream"), m);
    }

    @Test
    void connectionResetInTheMiddleOfTheBody() {
        byte[] data = random(100_000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("hw_disk_bus", "virtio").put("os_distro", "ubuntu");
        resets.json = meta.toString();
        resets.declared = data.length;
        resets.part = Arrays.copyOf(data, 30_000);
        String m = failed(new Case(create(ferry, AUTH), meta.get("id").asText()), "RegionReset", "");
        assertTrue(m.contains("failed after"), m);
    }

    @Test
    void dribblePastTheReadTimeout() {
        byte[] data = random(10_000);
        String m = failedFile(aResponse().withStatus(200).withBody(data).withChunkedDribbleDelay(5, 20_000),
                remoteImage(uuid(), data), data);
        assertTrue(m.toLowerCase(Locale.ROOT).contains("timeout") || m.toLowerCase(Locale.ROOT).contains("timed out"), m);
    }

    @Test
    void remoteSendsFewerBytesThanItsSize() {
        byte[] data = random(10_000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("size", 10_100);
        assertTrue(failed(prepare(meta, data), "RegionTwo", "").contains("remote size is 10100"));
    }

    @Test
    void remoteSendsMoreBytesThanItsSize() {
        byte[] data = random(10_000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("size", 9_000);
        assertTrue(failed(prepare(meta, data), "RegionTwo", "").contains("remote size is 9000"));
    }

    @Test
    void chunkedBodyShorterOrLongerThanTheSize() {
        byte[] data = random(10_000);
        for (int size : new int[] {10_100, 9_000}) {
            ObjectNode meta = remoteImage(uuid(), data);
            meta.put("size", size);
            String m = failedFile(aResponse().withStatus(200).withBody(data).withChunkedDribbleDelay(4, 200), meta, data);
            assertTrue(m.contains("remote size is " + size), m);
        }
    }

    @Test
    void hashMismatch() {
        byte[] data = random(10_000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("os_hash_value", sha512(random(10_001)));
        assertEquals("sha512 of the downloaded data does not match the remote os_hash_value",
                failed(prepare(meta, data), "RegionTwo", ""));
    }

    @Test
    void redirectToAnotherOriginDoesNotCarryTheToken() {
        byte[] data = random(50_000);
        ObjectNode meta = remoteImage(uuid(), data);
        Case c = prepare(meta, data);
        remote.dataAnswer(c.remoteId(), aResponse()
                .withStatus(302).withHeader("Location", "http://localhost:" + other.port() + "/blob/" + c.remoteId()));
        other.stubFor(get(urlPathEqualTo("/blob/" + c.remoteId())).willReturn(aResponse().withStatus(200)
                .withBody(data)));
        accepted(ferry, c.id(), glanceDownload("RegionTwo", c.remoteId(), ""), AUTH);
        awaitTask(ferry, c.id(), "success", AUTH);
        assertActive(show(ferry, c.id(), AUTH), data, "fast");
        assertStagingClean(ferry, c.id());

        List<LoggedRequest> first = remote.findAll(getRequestedFor(urlPathEqualTo("/v2/images/" + c.remoteId() + "/file")));
        assertEquals(1, first.size());
        assertEquals(TOKEN, first.get(0).getHeader("X-Auth-Token"));
        List<LoggedRequest> redirected = other.findAll(getRequestedFor(urlPathEqualTo("/blob/" + c.remoteId())));
        assertEquals(1, redirected.size());
        assertNull(redirected.get(0).getHeader("X-Auth-Token"), "the token leaked to another origin");
        assertFalse(redirected.get(0).containsHeader("X-Auth-Token"));
    }

    @Test
    void remoteMetadataWithoutASizeOrNotJson() {
        byte[] data = random(1000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.putNull("size");
        assertTrue(failed(prepare(meta, data), "RegionTwo", "").contains("could not be determined"));

        Case c = prepare(remoteImage(uuid(), data), data);
        remote.metadataAnswer(c.remoteId(), aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>login here</html>"));
        String m = failed(c, "RegionTwo", "");
        assertTrue(m.endsWith("/v2/images/" + c.remoteId() + " did not answer with an image in JSON"), m);
    }

    @Test
    void aRemoteImageOverTheSizeCapIsRefusedBeforeItsDataIsRead() {
        byte[] data = random(1000);
        ObjectNode meta = remoteImage(uuid(), data);
        meta.put("size", CAP + 1);
        Case c = prepare(meta, data);
        String m = failed(c, "RegionTwo", "");
        assertTrue(m.contains("image_size_cap"), m);
        assertEquals(0, remote.findAll(getRequestedFor(urlPathEqualTo("/v2/images/" + c.remoteId() + "/file"))).size());
    }
}
