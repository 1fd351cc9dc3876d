package org.ferry.routes;

import org.ferry.testing.RawHttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A raw HTTP server on 127.0.0.1 for broken transfers: a request for a path ending in {@code /file} gets headers
 * announcing {@code declared} bytes and only {@code part}, then a TCP reset (SO_LINGER 0); any other path gets
 * {@code json} in full.
 */
final class ResetServer extends RawHttpServer {
    volatile String json = "{}";
    volatile byte[] part = new byte[0];
    volatile long declared;

    ResetServer() throws IOException {
        super("reset-server");
    }

    /** A started server, for a static field (a test class's extension). */
    static ResetServer started() {
        try {
            return new ResetServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void answer(String path, Map<String, String> headers, Socket socket, OutputStream out)
            throws IOException {
        if (path.endsWith("/file")) {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(part);
            out.flush();
            // let the client take the headers and the first bytes before the reset discards them
            resetAfterRead(socket, 500);
        } else {
            writeJson(out, json);
        }
    }
}
