package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.replication.ReplicationKit.count;
import static org.ferry.replication.ReplicationKit.glanceImage;
import static org.ferry.replication.ReplicationKit.outcome;
import static org.ferry.replication.ReplicationKit.result;
import static org.ferry.replication.ReplicationKit.run;
import static org.ferry.replication.ReplicationKit.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run interrupted by a restart continues with what is left: Ferry stops while the second of three images is being
 * copied; after the restart the same run (not a new one) finishes the second and copies the third, and the first is
 * not copied again.
 */
class ReplicationContinuationTest {
    static final String ID1 = "10000000-0000-0000-0000-000000000001";
    static final String ID2 = "10000000-0000-0000-0000-000000000002";
    static final String ID3 = "10000000-0000-0000-0000-000000000003";

    @TempDir
    Path dir;
    GlanceStub source;
    TestFerry target;

    @AfterEach
    void stop() {
        if (target != null) {
            target.close();
        }
        source.stop();
    }

    @Test
    void aRunInterruptedByARestartContinuesWithWhatIsLeft() {
        byte[] d1 = random(100 << 10, 21);
        byte[] d2 = random(120 << 10, 22);
        byte[] d3 = random(140 << 10, 23);
        source = GlanceStub.started();
        ObjectNode i1 = glanceImage(ID1, "one", "public", d1);
        ObjectNode i2 = glanceImage(ID2, "two", "public", d2);
        ObjectNode i3 = glanceImage(ID3, "three", "public", d3);
        source.image(i1, d1).image(i2, d2).image(i3, d3);
        // the second image's data is slow, so the stop comes while it is being copied
        source.stubFor(get(urlPathEqualTo("/v2/images/" + ID2 + "/file")).atPriority(1).willReturn(aResponse()
                .withStatus(200).withFixedDelay(3000).withBody(d2)));
        source.list(List.of(i1, i2, i3));

        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.section(c, "glance_download_regions").put("RegionTwo", source.baseUrl());
        TestFerry.section(c, "replication").put("jobs", "resume");
        TestFerry.section(c, "replication:resume").putAll(Map.of("source_regions", "RegionTwo", "concurrency", "1"));
        target = TestFerry.start(dir, c);

        var started = target.postJson("/ferry/replication/jobs/resume/run", "");
        assertEquals(202, started.status(), started.text());
        String runId = started.json().get("run").get("id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                "copying".equals(outcome(run(target, "resume", runId), ID2)));
        JsonNode before = run(target, "resume", runId);
        assertEquals("copied", result(before, ID1).get("status").asText(), before.toString());
        assertEquals("pending", result(before, ID3).get("status").asText(), before.toString());

        target.close();
        target = null;
        target = TestFerry.start(dir, c);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                !"running".equals(run(target, "resume", runId).get("status").asText()));
        JsonNode after = run(target, "resume", runId);
        assertEquals("succeeded", after.get("status").asText(), after.toString());
        assertEquals(1, after.get("continued").asInt(), after.toString());
        assertEquals(3, count(after, "copied"), after.toString());
        assertEquals(d1.length + d2.length + d3.length, after.get("bytes").asLong(), after.toString());
        JsonNode runs = target.get("/ferry/replication/jobs/resume/runs").json().get("runs");
        assertEquals(1, runs.size(), "the same run continued, no new one: " + runs);

        for (var e : Map.of(ID1, d1, ID2, d2, ID3, d3).entrySet()) {
            JsonNode copy = show(target, e.getKey());
            assertEquals("active", copy.get("status").asText(), copy.toString());
            assertEquals(md5(e.getValue()), copy.get("checksum").asText());
        }
        source.verify(1, getRequestedFor(urlPathEqualTo("/v2/images/" + ID1 + "/file")));
        source.verify(1, getRequestedFor(urlPathEqualTo("/v2/images/" + ID3 + "/file")));
        assertTrue(source.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v2/images/" + ID2 + "/file"))
                .build()).getCount() >= 1);
        assertEquals(1, source.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v2/images")).build())
                .getCount(), "the continued run did not list again");
    }
}
