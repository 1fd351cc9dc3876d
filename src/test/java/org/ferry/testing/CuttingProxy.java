package org.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 in front of a server, which can cut one connection in the middle of a transfer: after a
 * number of bytes towards the server (a request body) or back (a response body), counted from when it is armed. The
 * cut connection is closed at once on both sides; others, and every connection after the cut, are relayed unharmed.
 */
public final class CuttingProxy implements AutoCloseable {
    /** Which way the counted bytes flow. */
    public enum Direction { UP, DOWN }

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong left = new AtomicLong(Long.MAX_VALUE);
    private volatile Direction armed;
    private volatile int cuts;

    public CuttingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Cuts the connection that carries the {@code bytes}+1st byte in that direction from now on; once. */
    public void cutAfter(Direction direction, long bytes) {
        left.set(bytes);
        armed = direction;
    }

    /** How many connections were cut so far. */
    public int cuts() {
        return cuts;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, Direction.UP);
                pump(upstream, client, Direction.DOWN);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, Direction direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (armed == direction && left.addAndGet(-n) < 0) {
                        armed = null;
                        cuts++;
                        from.close();
                        to.close();
                        return;
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // either side closed: the other is closed below
            } finally {
                close(from);
                close(to);
            }
        }, "cutting-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            close(s);
        }
    }
}
