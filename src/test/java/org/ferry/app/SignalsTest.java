package org.ferry.app;

import com.github.tomakehurst.wiremock.WireMockServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGHUP and SIGTERM sent to a Ferry process: HUP reloads the policy file and the logging options and reopens the
 * log file without dropping requests; TERM waits for the work in progress only up to graceful_shutdown_timeout and
 * leaves an import still running to the recovery of the next start.
 */
class SignalsTest {
    @TempDir
    Path dir;
    FerryProcess ferry;
    WireMockServer remote;
    final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (remote != null) {
            remote.stop();
        }
    }

    private int status(String path) throws Exception {
        try (Response r = http.newCall(new Request.Builder().url(ferry.url() + path).build()).execute()) {
            return r.code();
        }
    }

    @Test
    void sighupReloadsThePolicyAndLoggingAndReopensTheLogFileWhileServing() throws Exception {
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        c.get("DEFAULT").put("log_file", dir.resolve("ferry.log").toString());
        Path conf = FerryProcess.write(dir.resolve("etc/ferry.conf"), c);
        Path policy = dir.resolve("etc/policy.yaml");
        Files.writeString(policy, "\"get_images\": \"!\"\n");
        ferry = FerryProcess.start(dir, conf, Integer.parseInt(c.get("DEFAULT").get("bind_port")));
        assertEquals(403, status("/v2/images"), "policy.yaml beside the config file applies");

        // requests keep coming while the signal is handled: none may fail
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (!done.get()) {
                try {
                    int s = status("/versions");
                    if (s == 200) {
                        served.incrementAndGet();
                    } else {
                        failures.add("status " + s);
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();

        Files.writeString(policy, "\"get_images\": \"\"\n");
        Files.move(dir.resolve("ferry.log"), dir.resolve("ferry.log.1")); // as logrotate does
        c.get("DEFAULT").put("debug", "true");
        FerryProcess.write(conf, c);
        ferry.signal("HUP");
        await().atMost(Duration.ofSeconds(20)).until(() -> status("/v2/images") == 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("ferry.log"))
                && Files.readString(dir.resolve("ferry.log")).contains("SIGHUP: reloaded"));
        Thread.sleep(500);
        done.set(true);
        load.join();

        assertTrue(ferry.process().isAlive(), "SIGHUP stopped Ferry:\n" + ferry.output());
        assertEquals(List.of(), failures);
        assertTrue(served.get() > 0);
        String reopened = Files.readString(dir.resolve("ferry.log"));
        assertTrue(reopened.contains("log level DEBUG"), reopened);
        assertTrue(reopened.contains("Policy: rules from " + policy), reopened);
        assertTrue(Files.readString(dir.resolve("ferry.log.1")).contains("Ferry listening on"),
                "the first lines went to the file before it was moved");

        // a broken policy file on the next SIGHUP leaves the rules in force
        Files.writeString(policy, "\"get_images\": [\n");
        ferry.signal("HUP");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(dir.resolve("ferry.log"))
                .contains("SIGHUP: configuration not reloaded"));
        assertEquals(200, status("/v2/images"));
        assertTrue(ferry.process().isAlive());
    }

    @Test
    void sigtermWaitsForAnImportOnlyUpToTheBoundAndTheImportIsRecoveredAtTheNextStart() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(3).nextBytes(data);
        remote = TestFerry.wiremock();
        remote.stubFor(get(urlPathEqualTo("/data.raw")).willReturn(aResponse()
                .withHeader("Content-Type", "application/octet-stream").withBody(data)
                .withChunkedDribbleDelay(400, 90_000)));
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        c.get("DEFAULT").put("graceful_shutdown_timeout", "3");
        TestFerry.section(c, "import_filtering_opts").put("allowed_ports", "[]");
        Path conf = FerryProcess.write(dir.resolve("ferry.conf"), c);
        int port = Integer.parseInt(c.get("DEFAULT").get("bind_port"));
        ferry = FerryProcess.start(dir, conf, port);
        ApiClient client = ferry.client();
        String id = client.createRaw("");
        assertEquals(202, client.importImage(id, "{\"method\":{\"name\":\"web-download\",\"uri\":\""
                + remote.baseUrl() + "/data.raw\"}}").status());
        await().atMost(Duration.ofSeconds(30)).until(() -> stagedBytes() > 0);

        long start = System.nanoTime();
        ferry.signal("TERM");
        assertTrue(ferry.process().waitFor(30, TimeUnit.SECONDS), "Ferry did not stop within 30 s of SIGTERM");
        long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String log = ferry.output();
        assertTrue(tookMs < 15_000, "took " + tookMs + " ms with a 3 s bound\n" + log);
        assertTrue(log.contains("Stopping: waiting up to 3 s ([DEFAULT] graceful_shutdown_timeout) for 0 request(s) "
                + "in flight, 1 import(s) running"), log);
        assertTrue(log.contains("Stopping now, graceful_shutdown_timeout of 3 s has passed"), log);
        assertEquals(GracefulStop.TIMED_OUT_STATUS, ferry.process().exitValue());

        remote.stubFor(get(urlPathEqualTo("/data.raw")).willReturn(aResponse()
                .withHeader("Content-Type", "application/octet-stream").withBody(data)));
        ferry = FerryProcess.start(dir, conf, port);
        ApiClient again = ferry.client();
        await().atMost(Duration.ofSeconds(90)).until(() -> again.image(id).get("status").asText().equals("active"));
        assertEquals("success", again.tasks(id).get(0).get("status").asText());
    }

    @Test
    void sigtermWithNothingRunningStopsCleanly() throws Exception {
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        Path conf = FerryProcess.write(dir.resolve("ferry.conf"), c);
        ferry = FerryProcess.start(dir, conf, Integer.parseInt(c.get("DEFAULT").get("bind_port")));
        ferry.signal("TERM");
        assertTrue(ferry.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, ferry.process().exitValue(), ferry.output());
        assertTrue(ferry.output().contains("Ferry stopped after"), ferry.output());
    }

    private long stagedBytes() throws Exception {
        Path staging = dir.resolve("staging");
        if (!Files.isDirectory(staging)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
