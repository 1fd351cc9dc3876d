package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.IMPORTING;
import static org.ferry.routes.RouteKit.LOCK;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTasks;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.importImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.tasks;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The import lock (§4.3): concurrent imports, and the takeover of a lock whose task stopped long ago. */
class ImportLockTest {
    static WireMockServer web;
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass().anyPort();
    static ImageRepository images;
    static TaskRepository taskRows;
    static final byte[] DATA = random(800_000);
    static String slowUrl;

    @BeforeAll
    static void start() {
        web = TestFerry.wiremock();
        web.stubFor(get(urlPathEqualTo("/slow")).willReturn(aResponse().withBody(DATA).withFixedDelay(700)));
        slowUrl = "http://127.0.0.1:" + web.port() + "/slow";
        images = new ImageRepository(ferry.ferry().database().jdbi());
        taskRows = new TaskRepository(ferry.ferry().database().jdbi());
    }

    @AfterAll
    static void stop() {
        web.stop();
    }

    private static String webDownload() {
        return "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + slowUrl + "\"}}";
    }

    /** Fires the same import twice at once; returns both responses. */
    private static List<TestFerry.TestResponse> race(String id) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestFerry.TestResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return importImage(ferry, id, webDownload());
                }));
            }
            go.countDown();
            List<TestFerry.TestResponse> out = new ArrayList<>();
            for (Future<TestFerry.TestResponse> f : calls) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Exactly one import of the race is accepted, the other is a 409; the accepted one completes. */
    private static void assertOneWins(String id, List<TestFerry.TestResponse> rs, String failedStores) {
        List<Integer> codes = rs.stream().map(TestFerry.TestResponse::status).sorted().toList();
        assertEquals(List.of(202, 409), codes, rs.stream().map(TestFerry.TestResponse::text).toList().toString());
        String refusal = rs.stream().filter(r -> r.status() == 409).findFirst().orElseThrow().text();
        assertTrue(refusal.contains("is not permitted as prior operation is still in progress")
                || refusal.contains("Image has active task")
                || refusal.contains("Image needs to be in 'queued' state"), refusal);
        awaitTasks(ferry, id);
        JsonNode all = tasks(ferry, id);
        long successes = 0;
        for (JsonNode t : all) {
            successes += t.get("status").asText().equals("success") ? 1 : 0;
        }
        assertEquals(1, successes, all.toString());
        assertActive(show(ferry, id), DATA, "fast");
        assertEquals(failedStores, show(ferry, id).get(FAILED).asText());
        assertStagingClean(ferry, id);
    }

    @Test
    void twoImportsRacingOnOneImage() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = create(ferry);
            assertOneWins(id, race(id), "");
        }
    }

    /** An image left importing by a task that stopped {@code age} ago, holding the lock; returns the task id. */
    private static String abandoned(String id, String status, Duration age) {
        Instant then = ImageRepository.now().minus(age);
        String taskId = uuid();
        String input = "{\"image_id\":\"" + id + "\",\"import_req\":{\"method\":{\"name\":\"web-download\",\"uri\":\""
                + slowUrl + "\"},\"stores\":[\"cheap\"]},\"backend\":[\"cheap\"]}";
        taskRows.create(new Task(taskId, "api_image_import", status, "ferry", id, "req-old", "old-user", input, null,
                "", null, then, then));
        assertTrue(images.setPropertyIfAbsent(id, LOCK, taskId));
        Image img = images.find(id).orElseThrow();
        img.status = ImageStatus.IMPORTING;
        img.properties.put(IMPORTING, "cheap");
        assertTrue(images.save(img, ImageStatus.QUEUED));
        return taskId;
    }

    private static JsonNode task(String id, String taskId) {
        for (JsonNode t : tasks(ferry, id)) {
            if (t.get("id").asText().equals(taskId)) {
                return t;
            }
        }
        throw new AssertionError("no task " + taskId + " in " + tasks(ferry, id));
    }

    @Test
    void aStaleLockIsTakenOverAndTheNewImportSucceeds() {
        String id = create(ferry);
        String old = abandoned(id, Task.PROCESSING, Duration.ofHours(2));
        assertEquals("importing", show(ferry, id).get("status").asText());
        accepted(ferry, id, webDownload());
        JsonNode was = task(id, old);
        assertEquals("failure", was.get("status").asText(), was.toString());
        assertEquals("Expired lock preempted", was.get("message").asText());
        JsonNode now = awaitTasks(ferry, id);
        assertEquals("success", now.get("status").asText(), now.toString());
        JsonNode img = show(ferry, id);
        assertActive(img, DATA, "fast");
        // the dead task's target never got the data
        assertEquals("cheap", img.get(FAILED).asText());
        assertStagingClean(ferry, id);
    }

    @Test
    void aFreshLockIsKeptAndAPendingTaskGetsTwoHours() {
        String id = create(ferry);
        String live = abandoned(id, Task.PROCESSING, Duration.ofMinutes(50));
        var r = importImage(ferry, id, webDownload());
        assertEquals(409, r.status(), r.text());
        assertEquals(live, show(ferry, id).get(LOCK).asText());
        assertEquals("processing", task(id, live).get("status").asText());

        String pendingImage = create(ferry);
        String pending = abandoned(pendingImage, Task.PENDING, Duration.ofMinutes(90));
        assertEquals(409, importImage(ferry, pendingImage, webDownload()).status());
        assertEquals("pending", task(pendingImage, pending).get("status").asText());
    }

    @Test
    void twoImportsRacingForOneStaleLock() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = create(ferry);
            String old = abandoned(id, Task.PROCESSING, Duration.ofHours(3));
            // the dead task's target store never got the data
            assertOneWins(id, race(id), "cheap");
            assertEquals("Expired lock preempted", task(id, old).get("message").asText());
        }
    }
}
