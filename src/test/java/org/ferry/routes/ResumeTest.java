package org.ferry.routes;

import org.ferry.testing.RawHttpServer;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.glanceDownload;
import static org.ferry.routes.RouteKit.remoteImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A download whose connection breaks mid-body continues with a ranged GET instead of failing the import. */
class ResumeTest {
    @TempDir
    static Path dir;
    static TestFerry ferry;
    static FlakyServer remote;

    @BeforeAll
    static void start() throws IOException {
        remote = new FlakyServer();
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.section(c, "glance_download_regions").put("RegionFlaky", "http://127.0.0.1:" + remote.port());
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() throws IOException {
        ferry.close();
        remote.close();
    }

    @Test
    void twoBrokenConnectionsAreResumedAndTheDigestsStillMatch() {
        byte[] data = random(3_000_000);
        remote.data = data;
        remote.json = remoteImage(uuid(), data).toString();
        remote.breaksLeft.set(2);
        remote.ranges.clear();
        String remoteId = remote.json.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        String id = create(ferry);
        accepted(ferry, id, glanceDownload("RegionFlaky", remoteId, ""));
        awaitTask(ferry, id, "success");
        assertActive(show(ferry, id), data, "fast");
        assertStagingClean(ferry, id);
        assertEquals(List.of("bytes=500000-", "bytes=1000000-"), remote.ranges);
    }

    @Test
    void aRemoteThatKeepsBreakingFailsWithTheReason() {
        byte[] data = random(3_000_000);
        remote.data = data;
        remote.json = remoteImage(uuid(), data).toString();
        remote.breaksLeft.set(100);
        String remoteId = remote.json.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        String id = create(ferry);
        accepted(ferry, id, glanceDownload("RegionFlaky", remoteId, ""));
        String m = RouteKit.failure(ferry, id);
        assertTrue(m.contains("after 3 resumed attempts"), m);
        RouteKit.assertBackToQueued(ferry, id);
    }

    /**
     * Serves image metadata, and the image's file in pieces: while breaks are left, each response sends up to
     * 500,000 bytes from the requested offset and then resets the connection; Range requests get 206.
     */
    static final class FlakyServer extends RawHttpServer {
        private static final int PIECE = 500_000;
        final AtomicInteger breaksLeft = new AtomicInteger();
        final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
        volatile byte[] data = new byte[0];
        volatile String json = "{}";

        FlakyServer() throws IOException {
            super("flaky-server");
        }

        @Override
        protected void answer(String path, Map<String, String> headers, Socket s, OutputStream out)
                throws IOException {
            if (!path.endsWith("/file")) {
                writeJson(out, json);
                return;
            }
            String range = headers.get("range");
            int from = 0;
            String status = "200 OK";
            String extra = "";
            if (range != null) {
                ranges.add(range);
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                status = "206 Partial Content";
                extra = "Content-Range: bytes " + from + "-" + (data.length - 1) + "/" + data.length + "\r\n";
            }
            out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\n" + extra
                    + "Connection: close\r\nContent-Length: " + (data.length - from) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (breaksLeft.getAndDecrement() > 0) {
                out.write(data, from, Math.min(PIECE, data.length - from));
                out.flush();
                // let the client read what was sent before the reset
                resetAfterRead(s, 300);
            } else {
                out.write(data, from, data.length - from);
            }
        }
    }
}
