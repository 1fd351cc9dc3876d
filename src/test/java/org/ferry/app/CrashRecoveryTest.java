package org.ferry.app;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.ferry.testing.ApiClient;
import org.ferry.store.rbd.RbdStore;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.TestCeph;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a Ferry process (SIGKILL) in the middle of an import and starts it again: the import is not left
 * importing. glance-download (needs the caller's token, which is never stored) is reverted; web-download resumes.
 */
class CrashRecoveryTest {
    private static final int SIZE = 8 << 20;

    /** Kept when a test fails: Ferry's logs there say why. */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;
    WireMockServer remote;
    byte[] data;
    String remoteId = UUID.randomUUID().toString();
    Process ferry;
    int port;

    @BeforeEach
    void remote() throws Exception {
        data = new byte[SIZE];
        new Random(7).nextBytes(data);
        remote = GlanceStub.started();
        remote.stubFor(get(urlPathEqualTo("/v2/images/" + remoteId)).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"" + remoteId + "\",\"status\":\"active\",\"size\":" + SIZE
                        + ",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"os_hash_algo\":\"sha512\","
                        + "\"os_hash_value\":\"" + hex("SHA-512") + "\",\"checksum\":\"" + hex("MD5") + "\"}")));
        slowBody();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    private void slowBody() {
        for (String path : new String[] {"/v2/images/" + remoteId + "/file", "/data.raw"}) {
            remote.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse()
                    .withHeader("Content-Type", "application/octet-stream").withBody(data)
                    .withChunkedDribbleDelay(400, 40_000)));
        }
    }

    private void fastBody() {
        for (String path : new String[] {"/v2/images/" + remoteId + "/file", "/data.raw"}) {
            remote.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse()
                    .withHeader("Content-Type", "application/octet-stream").withBody(data)));
        }
    }

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.destroyForcibly();
        }
        remote.stop();
    }

    private String hex(String algo) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(data));
    }

    /** Set by an rbd test before Ferry starts: the default store is then {@code ceph:rbd} in the Ceph lab. */
    TestCeph ceph;

    private Path config() throws IOException {
        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        if (ceph != null) {
            TestFerry.section(c, "DEFAULT").put("enabled_backends", "ceph:rbd, fast:file");
            TestFerry.section(c, "glance_store").put("default_backend", "ceph");
            TestFerry.section(c, "ceph").putAll(Map.of("rbd_store_pool", ceph.pool(), "rbd_store_user", ceph.user(),
                    "rbd_store_ceph_conf", ceph.conf(), "rbd_store_chunk_size", "1"));
        }
        TestFerry.section(c, "DEFAULT").put("bind_port", String.valueOf(port));
        TestFerry.section(c, "import_filtering_opts").put("allowed_ports", "[]");
        TestFerry.section(c, "glance_download_regions").put("RegionTwo", remote.baseUrl());
        return TestFerry.writeConf(dir.resolve("ferry.conf"), c);
    }

    /** Ferry as its own JVM, as an operator runs it, so it can be killed for real. */
    private Process startProcess() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FerryMain.class.getName(),
                "--config-file", config().toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("ferry-" + System.nanoTime() + ".log").toFile());
        pb.directory(dir.toFile());
        Process p = pb.start();
        ApiClient client = client();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertTrue(p.isAlive(), "Ferry exited");
            return client.statusOf("/versions") == 200;
        });
        return p;
    }

    private ApiClient client() {
        return ApiClient.at("http://127.0.0.1:" + port);
    }

    private boolean stagingHasPartialData() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("staging"))) {
            return files.anyMatch(f -> f.toFile().length() > 0);
        }
    }

    private long stagingFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("staging"))) {
            return files.count();
        }
    }

    /** Waits for a condition; on timeout the failure carries Ferry's warnings and errors, which say why. */
    private void awaitOrShowLogs(Duration atMost, java.util.concurrent.Callable<Boolean> condition) throws IOException {
        try {
            await().atMost(atMost).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder lines = new StringBuilder(e.getMessage());
            if (ceph != null) {
                for (String name : ceph.images(ceph.pool())) {
                    lines.append("\nrbd status ").append(name).append(": ")
                            .append(ceph.rbdExit("status", ceph.pool() + "/" + name).stdout().strip());
                }
            }
            lines.append("\nFerry's warnings and errors:");
            try (Stream<Path> logs = Files.list(dir)) {
                for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                    lines.append("\n-- ").append(log.getFileName());
                    Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                            .forEach(l -> lines.append("\n").append(l));
                }
            }
            throw new AssertionError(lines.toString(), e);
        }
    }

    private boolean logsMention(String text) throws IOException {
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                if (Files.readString(log).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void killedGlanceDownloadIsRevertedAndCanBeImportedAgain() throws Exception {
        ferry = startProcess();
        ApiClient c = client();
        String id = c.createRaw("");
        String body = "{\"method\":{\"name\":\"glance-download\",\"glance_image_id\":\"" + remoteId
                + "\",\"glance_region\":\"RegionTwo\"}}";
        assertEquals(202, c.importImage(id, body).status());
        await().atMost(Duration.ofSeconds(30)).until(this::stagingHasPartialData);
        assertEquals("importing", c.image(id).get("status").asText());
        ferry.destroyForcibly().waitFor();

        fastBody();
        ferry = startProcess();
        await().atMost(Duration.ofSeconds(60)).until(() -> c.image(id).get("status").asText().equals("queued"));
        assertEquals(0, stagingFiles(), "staging must hold no partial file");
        var img = c.image(id);
        assertTrue(img.get("os_glance_import_task") == null, "lock released");
        var task = c.tasks(id).get(0);
        assertEquals("failure", task.get("status").asText());
        assertTrue(task.get("message").asText().contains("restarted"), task.get("message").asText());

        assertEquals(202, c.importImage(id, body).status());
        await().atMost(Duration.ofSeconds(60)).until(() -> c.image(id).get("status").asText().equals("active"));
        assertEquals(hex("SHA-512"), c.image(id).get("os_hash_value").asText());
        assertEquals(0, stagingFiles());
    }

    /** The RBD image exists and carries Ferry's in-progress mark (set just after it is created). */
    private boolean markedAsBeingWritten(String id) {
        return rbdImageExists(id) && ceph.rbdExit("image-meta", "list", ceph.pool() + "/" + id).stdout()
                .contains(RbdStore.WRITING);
    }

    private boolean rbdImageExists(String id) {
        return ceph.images(ceph.pool()).contains(id);
    }

    @Test
    void killedWebDownloadIntoRbdResumesAfterRestartAndReplacesItsUnfinishedRbdImage() throws Exception {
        ceph = TestCeph.lab();
        ceph.osdClientWatchTimeout(30); // Ceph's default: the killed writer's leftover stays held after the restart
        ferry = startProcess();
        ApiClient c = client();
        String id = c.createRaw("");
        try {
            assertEquals(202, c.importImage(id, "{\"method\":{\"name\":\"web-download\",\"uri\":\""
                    + remote.baseUrl() + "/data.raw\"}}").status());
            await().atMost(Duration.ofSeconds(30)).until(() -> markedAsBeingWritten(id));
            ferry.destroyForcibly().waitFor();
            assertTrue(ceph.rbd("image-meta", "list", ceph.pool() + "/" + id).contains(RbdStore.WRITING),
                    "the kill left an unfinished RBD image");

            fastBody();
            ferry = startProcess(); // at once: Ceph still holds the killed writer's watch for a while
            awaitOrShowLogs(Duration.ofSeconds(120), () -> c.image(id).get("status").asText().equals("active"));
            assertEquals(hex("MD5"), c.image(id).get("checksum").asText());
            assertEquals("success", c.tasks(id).get(0).get("status").asText());
            assertFalse(ceph.rbd("image-meta", "list", ceph.pool() + "/" + id).contains(RbdStore.WRITING));
            assertTrue(logsMention("resuming import of image " + id), "the job was recovered, not started anew");
            assertEquals(204, c.delete("/v2/images/" + id).status());
            assertFalse(rbdImageExists(id));
        } finally {
            ceph.osdClientWatchTimeout(5);
            removeRbdImage(id);
        }
    }

    @Test
    void killedGlanceDownloadIntoRbdIsRevertedAndItsUnfinishedRbdImageRemoved() throws Exception {
        ceph = TestCeph.lab();
        ferry = startProcess();
        ApiClient c = client();
        String id = c.createRaw("");
        try {
            String body = "{\"method\":{\"name\":\"glance-download\",\"glance_image_id\":\"" + remoteId
                    + "\",\"glance_region\":\"RegionTwo\"}}";
            assertEquals(202, c.importImage(id, body).status());
            await().atMost(Duration.ofSeconds(30)).until(() -> markedAsBeingWritten(id));
            ferry.destroyForcibly().waitFor();

            fastBody();
            ferry = startProcess();
            awaitOrShowLogs(Duration.ofSeconds(60), () -> c.image(id).get("status").asText().equals("queued"));
            awaitOrShowLogs(Duration.ofSeconds(120), () -> !rbdImageExists(id));
            assertEquals(0, stagingFiles(), "staging must hold no partial file");
            assertEquals(202, c.importImage(id, body).status());
            await().atMost(Duration.ofSeconds(60)).until(() -> c.image(id).get("status").asText().equals("active"));
            assertEquals(hex("SHA-512"), c.image(id).get("os_hash_value").asText());
            assertEquals(204, c.delete("/v2/images/" + id).status());
            assertFalse(rbdImageExists(id));
        } finally {
            removeRbdImage(id);
        }
    }

    private void removeRbdImage(String id) {
        if (rbdImageExists(id)) {
            ceph.rbdExit("snap", "unprotect", ceph.pool() + "/" + id + "@snap");
            ceph.rbdExit("snap", "purge", ceph.pool() + "/" + id);
            ceph.rbdExit("rm", ceph.pool() + "/" + id);
        }
    }

    @Test
    void killedWebDownloadResumesAfterRestart() throws Exception {
        ferry = startProcess();
        ApiClient c = client();
        String id = c.createRaw("");
        assertEquals(202, c.importImage(id, "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + remote.baseUrl()
                + "/data.raw\"}}").status());
        await().atMost(Duration.ofSeconds(30)).until(this::stagingHasPartialData);
        ferry.destroyForcibly().waitFor();

        fastBody();
        ferry = startProcess();
        await().atMost(Duration.ofSeconds(90)).until(() -> c.image(id).get("status").asText().equals("active"));
        assertEquals(hex("MD5"), c.image(id).get("checksum").asText());
        assertEquals("success", c.tasks(id).get(0).get("status").asText());
        assertEquals(0, stagingFiles());
        assertTrue(logsMention("resuming import of image " + id), "the job was recovered, not started anew");
    }
}
