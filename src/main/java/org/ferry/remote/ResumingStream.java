package org.ferry.remote;

import okhttp3.Response;

import java.io.IOException;
import java.io.InputStream;

/**
 * The body of a download that survives broken connections: when a read fails, the rest is asked for again with
 * {@code Range: bytes=<received>-} (a few times, with a short pause), and the bytes continue where they stopped, so
 * the digests computed over the stream stay valid. A remote that does not answer 206 from that offset ends it.
 */
public final class ResumingStream extends InputStream {
    private final SafeHttp http;
    private final String url;
    private final String token;
    private final String what;
    private final int maxResumes;
    private Response response;
    private InputStream current;
    private long position;
    private int resumes;

    public ResumingStream(SafeHttp http, String url, String token, String what, Response first, int maxResumes) {
        this.http = http;
        this.url = url;
        this.token = token;
        this.what = what;
        this.maxResumes = maxResumes;
        this.response = first;
        this.current = first.body().byteStream();
    }

    public int resumes() {
        return resumes;
    }

    /** Bytes received so far, across resumed connections. */
    public long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            try {
                int n = current.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException broken) {
                if (resumes >= maxResumes) {
                    throw new IOException(describe(broken) + " (after " + resumes + " resumed attempts)", broken);
                }
                resume(broken);
            }
        }
    }

    private void resume(IOException broken) throws IOException {
        resumes++;
        response.close();
        try {
            Thread.sleep(250L << Math.min(resumes, 4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resuming " + what, broken);
        }
        Response next;
        try {
            next = http.get(url, true, token, position, what);
        } catch (IOException e) {
            throw new IOException(describe(broken) + "; resuming at byte " + position + " failed: " + e.getMessage(), broken);
        }
        String range = next.header("Content-Range", "");
        if (next.code() != 206 || !range.startsWith("bytes " + position + "-")) {
            next.close();
            throw new IOException(describe(broken) + "; the remote cannot resume at byte " + position + " (answered "
                    + next.code() + (range.isEmpty() ? "" : ", " + range) + ")", broken);
        }
        response = next;
        current = next.body().byteStream();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void close() {
        response.close();
    }
}
