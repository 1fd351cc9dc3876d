package org.ferry.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for the requests no client library will send: broken request lines, raw non-UTF-8
 * bytes, bad percent-encoding, lying Content-Length, broken chunked bodies. Reads one answer within a bound.
 */
final class RawHttp {
    /** No status line arrived: the server closed the connection or reset it without answering. */
    static final int NO_ANSWER = -1;
    /** Nothing complete arrived within the bound: the server hangs. */
    static final int TIMED_OUT = -2;

    record Answer(int status, String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).strip().equalsIgnoreCase(name)) {
                    return line.substring(c + 1).strip();
                }
            }
            return null;
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code request} as is; with {@code halfClose} the client then shuts its output (a truncated body the
     * server can tell is over). The answer is whatever arrives within {@code timeoutMillis}.
     */
    static Answer exchange(int port, byte[] request, boolean halfClose, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may answer and close before it has read everything (413, 400): read what it said
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16384];
            while (true) {
                Answer a = complete(got.toByteArray());
                if (a != null) {
                    return a;
                }
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                if (left <= 0) {
                    return new Answer(TIMED_OUT, got.toString(StandardCharsets.ISO_8859_1), new byte[0]);
                }
                s.setSoTimeout(left);
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    return new Answer(TIMED_OUT, got.toString(StandardCharsets.ISO_8859_1), new byte[0]);
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    Answer last = completeAtEof(got.toByteArray());
                    return last != null ? last : new Answer(NO_ANSWER, got.toString(StandardCharsets.ISO_8859_1),
                            new byte[0]);
                }
                got.write(buf, 0, n);
            }
        } catch (IOException e) {
            return new Answer(NO_ANSWER, e.toString(), new byte[0]);
        }
    }

    /** The answer once its head and (Content-Length or chunked) body are in, else null. */
    private static Answer complete(byte[] data) {
        int end = headEnd(data);
        if (end < 0) {
            return null;
        }
        String head = new String(data, 0, end, StandardCharsets.ISO_8859_1);
        int status = status(head);
        if (status == 204 || status == 304 || status / 100 == 1) {
            return new Answer(status, head, new byte[0]);
        }
        Answer shell = new Answer(status, head, new byte[0]);
        String len = shell.header("Content-Length");
        if (len != null) {
            long n = Long.parseLong(len.strip());
            if (data.length - end - 4 >= n) {
                byte[] body = new byte[(int) n];
                System.arraycopy(data, end + 4, body, 0, (int) n);
                return new Answer(status, head, body);
            }
            return null;
        }
        String te = shell.header("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            String rest = new String(data, end + 4, data.length - end - 4, StandardCharsets.ISO_8859_1);
            return rest.contains("\r\n0\r\n\r\n") || rest.startsWith("0\r\n\r\n")
                    ? new Answer(status, head, rest.getBytes(StandardCharsets.ISO_8859_1)) : null;
        }
        return null;
    }

    /** At EOF a head without a length is complete (the body ran to the close). */
    private static Answer completeAtEof(byte[] data) {
        int end = headEnd(data);
        if (end < 0) {
            return null;
        }
        String head = new String(data, 0, end, StandardCharsets.ISO_8859_1);
        byte[] body = new byte[data.length - end - 4];
        System.arraycopy(data, end + 4, body, 0, body.length);
        return new Answer(status(head), head, body);
    }

    private static int headEnd(byte[] d) {
        for (int i = 0; i + 3 < d.length; i++) {
            if (d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '\r' && d[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int status(String head) {
        String[] first = head.split("\r\n", 2)[0].split(" ");
        try {
            return first.length > 1 ? Integer.parseInt(first[1]) : NO_ANSWER;
        } catch (NumberFormatException e) {
            return NO_ANSWER;
        }
    }
}
