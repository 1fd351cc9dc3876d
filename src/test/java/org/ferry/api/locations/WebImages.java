package org.ferry.api.locations;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.Options;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * A web server on 127.0.0.1 (WireMock) holding image files, as an http store location points at them. Registered as
 * a JUnit extension it stops after the test class.
 */
final class WebImages implements AutoCloseable, AfterAllCallback {
    private final WireMockServer server;

    WebImages() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.NEVER));
        server.start();
    }

    WireMockServer server() {
        return server;
    }

    /** Serves {@code data} at {@code path} (GET and HEAD, with Content-Length); returns its URL. */
    String serve(String path, byte[] data) {
        server.stubFor(any(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("Content-Length", String.valueOf(data.length)).withBody(data)));
        return url(path);
    }

    /** Like {@link #serve} but the body trickles out over {@code millis}. */
    String serveSlowly(String path, byte[] data, int millis) {
        server.stubFor(any(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(data.length)).withBody(data)
                .withChunkedDribbleDelay(50, millis)));
        return url(path);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.stop();
    }
}
