package org.ferry.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One access log line per request on ferry.access, and nothing else (no stack trace) for expected 4xx answers. */
class AccessLogTest {
    /** The logger name operators route (spelled out, so this test also runs against a Ferry without it). */
    static final String ACCESS = "ferry.access";
    @TempDir
    static Path dir;
    static TestFerry ferry;
    static ListAppender<ILoggingEvent> events;
    static Logger root;

    @BeforeAll
    static void start() {
        ferry = TestFerry.start(dir);
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        events = new ListAppender<>();
        events.start();
        root.addAppender(events);
    }

    @AfterAll
    static void stop() {
        root.detachAppender(events);
        ferry.close();
    }

    /** Every event logged for the request (by its request id), once its access line has been written. */
    static List<ILoggingEvent> loggedFor(TestResponse r) {
        String id = r.header("x-openstack-request-id");
        assertTrue(id != null && id.startsWith("req-"), String.valueOf(r.headers()));
        List<ILoggingEvent> out = new ArrayList<>();
        // the line is written when the exchange completes, which may be just after the client has the answer
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            out.clear();
            synchronized (events) {
                for (ILoggingEvent e : events.list) {
                    if (id.equals(e.getMDCPropertyMap().get("request_id"))) {
                        out.add(e);
                    }
                }
            }
            return out.stream().anyMatch(e -> e.getLoggerName().equals(ACCESS));
        });
        return out;
    }

    static ILoggingEvent onlyAccessLine(TestResponse r) {
        List<ILoggingEvent> logged = loggedFor(r);
        assertEquals(1, logged.size(), logged.toString());
        ILoggingEvent line = logged.get(0);
        assertEquals(ACCESS, line.getLoggerName());
        assertNull(line.getThrowableProxy(), line.getFormattedMessage());
        return line;
    }

    static String create() {
        TestResponse r = ferry.postJson("/v2/images", "{\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    @Test
    void aGetLogsOneLineWithMethodPathStatusBytesTimeRequestIdUserAndProject() {
        TestResponse r = ferry.get("/v2/images?limit=1", "X-User-Id", "u-42", "X-Project-Id", "p-7");
        assertEquals(200, r.status(), r.text());
        String line = onlyAccessLine(r).getFormattedMessage();
        assertTrue(line.startsWith("127.0.0.1 \"GET /v2/images?limit=1 HTTP/1.1\" status: 200 len: "
                + r.body().length + " received: 0 time: 0."), line);
        assertTrue(line.endsWith(" request_id: " + r.header("x-openstack-request-id") + " user: u-42 project: p-7"),
                line);
    }

    @Test
    void expectedClientErrorsLogOnlyTheirAccessLine() {
        TestResponse notFound = ferry.get("/v2/images/" + UUID.randomUUID());
        assertEquals(404, notFound.status());
        assertTrue(onlyAccessLine(notFound).getFormattedMessage().contains("status: 404"));

        TestResponse badJson = ferry.postJson("/v2/images", "{\"name\": ");
        assertEquals(400, badJson.status());
        assertTrue(onlyAccessLine(badJson).getFormattedMessage().contains("status: 400"));

        String id = create();
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", new byte[10]).status());
        TestResponse conflict = ferry.putData("/v2/images/" + id + "/file", new byte[10]);
        assertEquals(409, conflict.status(), conflict.text());
        assertTrue(onlyAccessLine(conflict).getFormattedMessage().contains("status: 409"));

        TestResponse forbidden = ferry.delete("/v2/images/" + id, "X-Roles", "reader", "X-Project-Id", "other");
        assertTrue(forbidden.status() == 403 || forbidden.status() == 404, forbidden.text());
        assertTrue(onlyAccessLine(forbidden).getFormattedMessage().contains("user: ferry-admin project: other"));

        TestResponse unrouted = ferry.call("PATCH", "/v2/schemas/image", "application/json", new byte[0]);
        assertEquals(405, unrouted.status());
        onlyAccessLine(unrouted);
    }

    @Test
    void uploadsAndDownloadsLogTheirBytes() {
        byte[] data = new byte[65_536];
        new Random(3).nextBytes(data);
        String id = create();
        TestResponse up = ferry.putData("/v2/images/" + id + "/file", data);
        assertEquals(204, up.status(), up.text());
        String upLine = loggedFor(up).stream().filter(e -> e.getLoggerName().equals(ACCESS)).findFirst()
                .orElseThrow().getFormattedMessage();
        assertTrue(upLine.contains("\"PUT /v2/images/" + id + "/file HTTP/1.1\" status: 204 len: 0 received: 65536 "),
                upLine);
        TestResponse down = ferry.get("/v2/images/" + id + "/file");
        assertEquals(200, down.status());
        String downLine = onlyAccessLine(down).getFormattedMessage();
        assertTrue(downLine.contains("status: 200 len: 65536 received: 0 "), downLine);
    }
}
