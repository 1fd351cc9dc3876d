package org.ferry.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 server on 127.0.0.1 for what WireMock cannot do: send part of a body and then reset the
 * connection (WireMock has no "reset after N bytes" fault). One connection at a time, one request per connection;
 * a subclass writes each answer.
 */
public abstract class RawHttpServer implements AutoCloseable, AfterAllCallback {
    private final ServerSocket server;

    protected RawHttpServer(String threadName) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::serve, threadName);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Writes the answer to one request; {@code headers} are keyed by lower-case name. The connection is closed
     * afterwards (reset if the answer asked for it with {@link #resetAfterRead}).
     */
    protected abstract void answer(String path, Map<String, String> headers, Socket socket, OutputStream out)
            throws IOException;

    /** A complete 200 answer with a JSON body. */
    protected static void writeJson(OutputStream out, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /**
     * Lets the client take what was sent (for up to {@code millis}) and then makes the close a TCP reset
     * (SO_LINGER 0), which discards anything still unread.
     */
    protected static void resetAfterRead(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            socket.getInputStream().read();
        } catch (SocketTimeoutException expected) {
            // the client sent nothing more, as a GET should
        }
        socket.setSoLinger(true, 0);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII));
                String requestLine = in.readLine();
                Map<String, String> headers = new LinkedHashMap<>();
                for (String l = in.readLine(); l != null && !l.isEmpty(); l = in.readLine()) {
                    int colon = l.indexOf(':');
                    if (colon > 0) {
                        headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
                    }
                }
                String path = requestLine == null ? "" : requestLine.split(" ")[1];
                answer(path, headers, s, s.getOutputStream());
            } catch (IOException | RuntimeException e) {
                // closed, or the client went away: serve the next one
            }
        }
    }

    /** Registered as a JUnit extension, the server closes after the test class. */
    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
