package org.ferry.interop;

import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tempest sends {@code Connection: close} on every request but keeps the connection in urllib3's pool when the answer
 * does not say {@code Connection: close}; the next call then goes into a socket Ferry has closed
 * ({@code RemoteDisconnected}). Undertow leaves the header out of bodiless answers (204), so Ferry adds it. Runs in
 * the regular suite (no lab needed).
 */
class ConnectionCloseTest {
    @TempDir
    static Path dir;
    static TestFerry ferry;

    @BeforeAll
    static void start() {
        ferry = TestFerry.start(dir);
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void everyAnswerToAConnectionCloseRequestSaysClose() throws IOException {
        String id = ferry.postJson("/v2/images", "{\"name\":\"c\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}")
                .json().path("id").asText();
        assertHeaders("GET", "/v2/images/" + id, 200, true);
        assertHeaders("PUT", "/v2/images/" + id + "/tags/t", 204, true);
        assertHeaders("DELETE", "/v2/images/" + id, 204, true);
        assertHeaders("DELETE", "/v2/images/" + id, 404, true);
        // keep-alive requests stay keep-alive
        assertHeaders("GET", "/versions", 200, false);
    }

    private static void assertHeaders(String method, String path, int status, boolean close) throws IOException {
        URI u = URI.create(ferry.url());
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            String req = method + " " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\n"
                    + "Accept: application/json\r\nContent-Length: 0\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 " + status + " "), method + " " + path + ":\n" + head);
            boolean saysClose = head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n");
            assertEquals(close, saysClose, method + " " + path + " (Connection: close sent: " + close + "):\n" + head);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String t = b.toString(StandardCharsets.ISO_8859_1);
            if (t.endsWith("\r\n\r\n")) {
                return t;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
