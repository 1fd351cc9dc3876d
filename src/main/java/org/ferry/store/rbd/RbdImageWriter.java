package org.ferry.store.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;

/**
 * Writes an RBD image from a stream of bytes: the bytes fill native buffers of rbd_store_chunk_size, and each full
 * buffer goes to librbd as an asynchronous write while the next fills, with up to {@link #IN_FLIGHT} writes
 * outstanding (the OSDs see several requests at a time, as Glance's single synchronous write loop never lets them).
 * An image of unknown size grows as Glance's driver grows it (by a doubling amount, at most 8 GiB a step) and is
 * cut to its real size at the end. With thin provisioning a chunk of zeros is not written at all.
 */
final class RbdImageWriter implements WritableByteChannel {
    /**
     * Writes outstanding at once; with 8 MiB chunks that is 24 MiB of native buffers per write in progress. Measured
     * on 1 GiB uploads under run-ferry.sh's flags, 3 rounds each: 3 in flight peaked at 186-193 MiB against 193-203
     * with 4, and took 8.3-8.8 s against 7.8-8.5 s (about 3 % slower, within this machine's noise).
     */
    static final int IN_FLIGHT = 3;
    private static final long MAX_GROWTH = 8L << 30;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);

    private final RbdImage image;
    private final int chunkSize;
    private final boolean thin;
    private final boolean knownSize;
    private final Memory[] buffers = new Memory[IN_FLIGHT];
    private final ByteBuffer[] views = new ByteBuffer[IN_FLIGHT];
    private final Pointer[] completions = new Pointer[IN_FLIGHT];
    private int current;
    /** Where the buffer being filled goes in the image. */
    private long offset;
    /** The image's size in Ceph now. */
    private long allocated;
    private long growth;
    private boolean open = true;

    RbdImageWriter(RbdImage image, int chunkSize, boolean thin, long initialSize, boolean knownSize) {
        this.image = image;
        this.chunkSize = chunkSize;
        this.thin = thin;
        this.allocated = initialSize;
        this.knownSize = knownSize;
        this.growth = chunkSize;
        for (int i = 0; i < IN_FLIGHT; i++) {
            buffers[i] = new Memory(chunkSize);
            views[i] = buffers[i].getByteBuffer(0, chunkSize);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        int n = src.remaining();
        while (src.hasRemaining()) {
            ByteBuffer filling = views[current];
            int take = Math.min(src.remaining(), filling.remaining());
            filling.put(filling.position(), src, src.position(), take);
            filling.position(filling.position() + take);
            src.position(src.position() + take);
            if (!filling.hasRemaining()) {
                submitCurrent();
            }
        }
        return n;
    }

    /** Hands the buffer being filled to librbd and waits until the next buffer is free again. */
    private void submitCurrent() throws IOException {
        ByteBuffer full = views[current];
        int length = full.position();
        if (length > 0) {
            if (!(thin && isZero(full, length))) {
                ensureCapacity(offset + length);
                PointerByReference c = new PointerByReference();
                RbdException.check(LibRbd.LIB.rbd_aio_create_completion(Pointer.NULL, Pointer.NULL, c),
                        "creating an aio completion");
                completions[current] = c.getValue();
                long rc = LibRbd.LIB.rbd_aio_write(image.handle(), offset, length, buffers[current], c.getValue());
                if (rc < 0) {
                    LibRbd.LIB.rbd_aio_release(c.getValue());
                    completions[current] = null;
                    throw new RbdException("writing " + length + " bytes at " + offset + " of " + image.name(), rc);
                }
            } else {
                ensureCapacity(offset + length);
            }
            offset += length;
        }
        current = (current + 1) % IN_FLIGHT;
        await(current);
        views[current].clear();
    }

    private void ensureCapacity(long end) throws IOException {
        if (end <= allocated) {
            return;
        }
        awaitAll();
        long size;
        if (knownSize) { // more data than declared: grow to exactly what is needed, the caller's check then fails
            size = end;
        } else {
            growth = Math.min(growth * 2, MAX_GROWTH);
            size = Math.max(allocated + growth, end);
        }
        image.resize(size);
        allocated = size;
    }

    private static boolean isZero(ByteBuffer b, int length) {
        for (int at = 0; at < length; at += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), length - at);
            if (b.slice(at, n).mismatch(ZEROS.slice(0, n)) != -1) {
                return false;
            }
        }
        return true;
    }

    private void await(int slot) throws IOException {
        Pointer c = completions[slot];
        if (c == null) {
            return;
        }
        completions[slot] = null;
        LibRbd.LIB.rbd_aio_wait_for_complete(c);
        long rc = LibRbd.LIB.rbd_aio_get_return_value(c);
        LibRbd.LIB.rbd_aio_release(c);
        RbdException.check(rc, "an asynchronous write to " + image.name());
    }

    private void awaitAll() throws IOException {
        IOException first = null;
        for (int i = 0; i < IN_FLIGHT; i++) {
            try {
                await(i);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Writes the last, partial chunk, waits for every write, cuts the image to the bytes written and flushes.
     *
     * @return the image's size
     */
    long finish() throws IOException {
        submitCurrent();
        awaitAll();
        if (allocated != offset) {
            image.resize(offset);
            allocated = offset;
        }
        image.flush();
        return offset;
    }

    long written() {
        return offset + views[current].position();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Waits for writes still outstanding (their buffers must outlive them), then frees the buffers. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            awaitAll();
        } catch (IOException ignored) {
            // closing after a failure: the image is removed anyway
        }
        for (Memory m : buffers) {
            m.close();
        }
    }
}
