package org.ferry.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of an upload, telling the client's failures (a body shorter than its Content-Length, broken chunks, a
 * closed connection) from the store's: a read that fails throws {@link Broken}, which is the client's 400, never 500.
 */
public final class RequestBodyStream extends FilterInputStream {
    /** Reading the request body failed. */
    public static final class Broken extends IOException {
        Broken(IOException cause) {
            super("The request body could not be read: " + cause.getMessage(), cause);
        }
    }

    public RequestBodyStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw new Broken(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw new Broken(e);
        }
    }
}
