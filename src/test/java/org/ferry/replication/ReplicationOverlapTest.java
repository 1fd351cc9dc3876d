package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.ferry.replication.run.ReplicationService;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.replication.run.RunRecord;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.replication.ReplicationKit.awaitRun;
import static org.ferry.replication.ReplicationKit.glanceImage;
import static org.ferry.testing.GlanceStub.listBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two runs of one job never overlap: of two simultaneous starts one is refused (409), and a camel-quartz schedule
 * firing every second while each run takes longer only starts a run when the previous one has ended. The source's
 * list answers slowly, so every run lasts over a second.
 */
class ReplicationOverlapTest {
    @TempDir
    static Path dir;
    static GlanceStub source;
    static TestFerry target;
    static final String IMAGE = UUID.randomUUID().toString();

    @BeforeAll
    static void start() {
        byte[] data = random(64 << 10, 31);
        source = GlanceStub.started();
        ObjectNode img = glanceImage(IMAGE, "slow-listed", "public", data);
        source.image(img, data);
        source.stubFor(get(urlPathEqualTo("/v2/images")).willReturn(aResponse().withStatus(200).withFixedDelay(1200)
                .withHeader("Content-Type", "application/json").withBody(listBody(List.of(img), null))));

        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.section(c, "glance_download_regions").put("RegionTwo", source.baseUrl());
        TestFerry.section(c, "replication").put("jobs", "manual, every-second");
        TestFerry.section(c, "replication:manual").put("source_regions", "RegionTwo");
        TestFerry.section(c, "replication:every-second").putAll(Map.of("source_regions", "RegionTwo",
                "schedule", "0/1 * * * * ?"));
        target = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        source.stop();
    }

    @Test
    void ofTwoSimultaneousStartsOneIsRefused() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<TestFerry.TestResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(pool.submit(() -> {
                    together.await();
                    return target.postJson("/ferry/replication/jobs/manual/run", "");
                }));
            }
            TestFerry.TestResponse a = calls.get(0).get();
            TestFerry.TestResponse b = calls.get(1).get();
            List<Integer> codes = new ArrayList<>(List.of(a.status(), b.status()));
            codes.sort(Integer::compare);
            assertEquals(List.of(202, 409), codes, a.text() + " / " + b.text());
            TestFerry.TestResponse refused = a.status() == 409 ? a : b;
            TestFerry.TestResponse accepted = a.status() == 202 ? a : b;
            assertTrue(refused.text().contains("job manual is already running"), refused.text());
            String runId = accepted.json().get("run").get("id").asText();
            assertTrue(refused.text().contains(runId) || refused.text().contains("a run starting on "),
                    "the refusal names the running run: " + refused.text());

            JsonNode jobs = target.get("/ferry/replication/jobs/manual").json().get("job");
            assertTrue(jobs.get("running").asBoolean(), jobs.toString());
            awaitRun(target, "manual", runId);
            assertEquals(1, target.get("/ferry/replication/jobs/manual/runs").json().get("runs").size());
            assertEquals(202, target.postJson("/ferry/replication/jobs/manual/run", "").status(),
                    "once the run ended, the job can run again");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scheduledRunsNeverOverlap() {
        ReplicationStore store = target.ferry().replication().service().store();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                store.runs("every-second", 50).stream().filter(r -> !r.running()).count() >= 3);
        List<RunRecord> runs = new ArrayList<>(store.runs("every-second", 50));
        runs.sort(Comparator.comparing(RunRecord::startedAt));
        for (RunRecord r : runs) {
            assertEquals(ReplicationService.SCHEDULE, r.trigger());
        }
        for (int i = 1; i < runs.size(); i++) {
            RunRecord previous = runs.get(i - 1);
            assertTrue(previous.finishedAt() != null && !runs.get(i).startedAt().isBefore(previous.finishedAt()),
                    "run " + i + " started " + runs.get(i).startedAt() + " before run " + (i - 1) + " finished "
                            + previous.finishedAt());
        }
        assertEquals(RunRecord.SUCCEEDED, runs.get(0).status());
        // each run lasts over a second while the trigger fires every second: some fires were skipped
        long seconds = Duration.between(runs.get(0).startedAt(), runs.get(runs.size() - 1).startedAt()).toSeconds();
        assertTrue(runs.size() - 1 < seconds, runs.size() + " runs in " + seconds + " s");
        assertFalse(runs.stream().anyMatch(r -> RunRecord.FAILED.equals(r.status())), runs.toString());
    }
}
