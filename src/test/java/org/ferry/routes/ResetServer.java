package org.ferry.routes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP server on 127.0.0.1 for broken transfers: a request for a path ending in {@code /file} gets headers
 * announcing {@code declared} bytes and only {@code part}, then a TCP reset (SO_LINGER 0); any other path gets
 * {@code json} in full.
 */
final class ResetServer implements AutoCloseable {
    private final ServerSocket server;
    volatile String json = "{}";
    volatile byte[] part = new byte[0];
    volatile long declared;

    ResetServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::serve, "reset-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String requestLine = in.readLine();
                for (String l = in.readLine(); l != null && !l.isEmpty(); l = in.readLine()) {
                    // headers are not needed
                }
                OutputStream out = s.getOutputStream();
                String path = requestLine == null ? "" : requestLine.split(" ")[1];
                if (path.endsWith("/file")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                            + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(part);
                    out.flush();
                    // let the client take the headers and the first bytes before the reset discards them
                    s.setSoTimeout(500);
                    try {
                        s.getInputStream().read();
                    } catch (SocketTimeoutException expected) {
                        // the client sent nothing more, as a GET should
                    }
                    s.setSoLinger(true, 0);
                } else {
                    byte[] body = json.getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // closed, or the client went away: serve the next one
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
