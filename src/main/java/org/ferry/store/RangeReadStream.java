package org.ferry.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * An object of a known size read from a position to its end over a network store (S3, Swift): reads never go past
 * the size, {@link #skip} only moves the position (the subclass then asks for a new range at its next read), and a
 * closed stream refuses reads. A subclass says how bytes at the position are fetched.
 */
public abstract class RangeReadStream extends InputStream {
    protected final long size;
    private long position;
    private boolean closed;

    protected RangeReadStream(long size) {
        this.size = size;
    }

    protected final long position() {
        return position;
    }

    /**
     * Reads {@code len} bytes at most (at least one, none past the end) at {@link #position()}.
     *
     * @return how many, at least one: the end of the object is never reached early without an IOException
     */
    protected abstract int readAtPosition(byte[] b, int off, int len) throws IOException;

    /** The position moved other than by reading: whatever is open for the old one is of no use now. */
    protected abstract void positionMoved();

    /** Releases what is open (at close). */
    protected abstract void release();

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        int n = readAtPosition(b, off, (int) Math.min(len, size - position));
        position += n;
        return n;
    }

    @Override
    public final long skip(long n) {
        if (n <= 0 || position >= size) {
            return 0;
        }
        long skipped = Math.min(n, size - position);
        positionMoved();
        position += skipped;
        return skipped;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
