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
    private final String url;
    private final String what;
    private final Reopen reopen;
    private final int maxResumes;
    private final long contentLength;
    private Response response;
    private InputStream current;
    private long position;
    private int resumes;

    /** Asks for the body again from a byte offset (a GET with {@code Range: bytes=<offset>-}). */
    @FunctionalInterface
    public interface Reopen {
        Response from(long offset) throws IOException;
    }

    /**
     * @param url   the URL as the caller wrote it, for messages
     * @param what  what is downloaded, for messages
     * @param first the successful answer to the first GET
     */
    public ResumingStream(String url, String what, Response first, Reopen reopen, int maxResumes) {
        this.url = url;
        this.what = what;
        this.reopen = reopen;
        this.maxResumes = maxResumes;
        this.response = first;
        this.contentLength = first.body().contentLength();
        this.current = first.body().byteStream();
    }

    public String url() {
        return url;
    }

    public String what() {
        return what;
    }

    /** The first answer's Content-Length, or -1 when it sent none. */
    public long contentLength() {
        return contentLength;
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
            next = reopen.from(position);
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
