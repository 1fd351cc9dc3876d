package org.ferry.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves image bytes from a stream to one or more channels and hashes them in the same pass: md5 and the configured
 * {@code hashing_algorithm} each run on their own thread, fed by a small pool of reusable chunks, so hashing
 * overlaps with I/O and memory stays at {@code buffers x bufferSize} whatever the image size. Nothing is allocated
 * per chunk: the chunks, their buffers and their channel views are made once and reused by later moves.
 *
 * <p>Chunks are small and many (128 KiB x 16): a chunk is likely still in the CPU cache when the digest threads read
 * it, a slow hasher stalls the reader less often, and reads and writes of at most one chunk keep the JDK's per-thread
 * temporary direct buffers (one per thread that ever writes a heap buffer to a file) at 128 KiB instead of the
 * buffer size. On the benchmark machine 32 KiB to 128 KiB chunks moved 1 GiB about as fast as 1 MiB x 4, or
 * faster, within the machine's noise.
 */
public final class DataMover {
    /** Chunk size and count that Ferry uses; see the class comment. */
    public static final int DEFAULT_BUFFER_SIZE = 128 * 1024;
    public static final int DEFAULT_BUFFERS = 16;
    /** Sets of chunks kept between moves: enough for two moves at a time without allocating. */
    static final int SPARE_SETS = 2;

    private static final Chunk END = new Chunk(0);

    private final ExecutorService digestThreads;
    private final int bufferSize;
    private final int buffers;
    /**
     * Chunks that finished moves handed back, for the next moves: a move's chunks live as long as the move, so new
     * ones for every move would each time be promoted to the old generation and stay there as garbage until a full
     * collection. At most {@link #SPARE_SETS} sets are kept; a failed move's chunks are left to the collector.
     */
    private final BlockingQueue<Chunk[]> spareChunks = new ArrayBlockingQueue<>(SPARE_SETS);

    public DataMover(ExecutorService digestThreads, int bufferSize, int buffers) {
        this.digestThreads = digestThreads;
        this.bufferSize = bufferSize;
        this.buffers = buffers;
    }

    /** Byte-count rules checked while streaming; {@code declaredSize} null means unknown. */
    public record Limits(long cap, Long declaredSize) {
        public static Limits none() {
            return new Limits(Long.MAX_VALUE, null);
        }
    }

    /** Called as bytes move, at most once per buffer; must be cheap. */
    public interface Progress {
        void moved(long total);
    }

    public Digests move(InputStream in, List<WritableByteChannel> outs, String javaHashName, String hashAlgo,
                        Limits limits, Progress progress) throws IOException {
        Chunk[] chunks = takeChunks();
        BlockingQueue<Chunk> pool = new ArrayBlockingQueue<>(buffers, false, List.of(chunks));
        BlockingQueue<Chunk> md5Queue = new ArrayBlockingQueue<>(buffers + 1);
        BlockingQueue<Chunk> hashQueue = new ArrayBlockingQueue<>(buffers + 1);
        // created here, not in the digest threads: a digest thread that dies never hands its buffers back
        MessageDigest md5Digest = digest("MD5");
        MessageDigest hashDigest = digest(javaHashName);
        Future<byte[]> md5 = digestThreads.submit(() -> digest(md5Queue, pool, md5Digest));
        Future<byte[]> hash = digestThreads.submit(() -> digest(hashQueue, pool, hashDigest));
        long total = 0;
        boolean ok = false;
        try {
            while (true) {
                Chunk c = pool.take();
                int len = fill(in, c.buf);
                if (len <= 0) {
                    pool.add(c);
                    break;
                }
                total += len;
                if (total > limits.cap()) {
                    throw new SizeLimitException(SizeLimitException.Kind.CAP_EXCEEDED,
                            "The provided image is too large.");
                }
                if (limits.declaredSize() != null && total > limits.declaredSize()) {
                    throw new SizeLimitException(SizeLimitException.Kind.DECLARED_SIZE_EXCEEDED,
                            "Size exceeds: expected " + limits.declaredSize() + " bytes, received more");
                }
                c.len = len;
                for (WritableByteChannel out : outs) {
                    c.view.clear().limit(len);
                    while (c.view.hasRemaining()) {
                        out.write(c.view);
                    }
                }
                c.refs.set(2);
                md5Queue.put(c);
                hashQueue.put(c);
                if (progress != null) {
                    progress.moved(total);
                }
                if (len < c.buf.length) {
                    break; // fill() stops short only at the end of the stream
                }
            }
            if (limits.declaredSize() != null && total != limits.declaredSize()) {
                throw new SizeLimitException(SizeLimitException.Kind.DECLARED_SIZE_MISMATCH,
                        "Size mismatch: expected " + limits.declaredSize() + " bytes, received " + total);
            }
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while moving image data", e);
        } finally {
            md5Queue.offer(END);
            hashQueue.offer(END);
            if (!ok) {
                md5.cancel(true);
                hash.cancel(true);
            }
        }
        try {
            HexFormat hex = HexFormat.of();
            Digests d = new Digests(total, hex.formatHex(md5.get()), hashAlgo, hex.formatHex(hash.get()));
            spareChunks.offer(chunks); // both digest threads are done with them
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing image data", e);
        } catch (ExecutionException e) {
            throw new IOException("hashing image data failed", e.getCause());
        }
    }

    /** The chunks of a finished move, or new ones. */
    private Chunk[] takeChunks() {
        Chunk[] spare = spareChunks.poll();
        if (spare != null) {
            return spare;
        }
        Chunk[] chunks = new Chunk[buffers];
        for (int i = 0; i < buffers; i++) {
            chunks[i] = new Chunk(bufferSize);
        }
        return chunks;
    }

    /** Reads until the buffer is full or the stream ends; returns the bytes read, or -1 at the end. */
    private static int fill(InputStream in, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off == 0 ? -1 : off;
    }

    private static byte[] digest(BlockingQueue<Chunk> queue, BlockingQueue<Chunk> pool, MessageDigest md)
            throws InterruptedException {
        while (true) {
            Chunk c = queue.take();
            if (c == END) {
                return md.digest();
            }
            md.update(c.buf, 0, c.len);
            if (c.refs.decrementAndGet() == 0) {
                pool.add(c);
            }
        }
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is not available", e);
        }
    }

    /** A buffer on its way through the pipeline: filled by the reader, then read by both digest threads. */
    private static final class Chunk {
        final byte[] buf;
        final ByteBuffer view;
        final AtomicInteger refs = new AtomicInteger();
        int len;

        Chunk(int size) {
            buf = new byte[size];
            view = ByteBuffer.wrap(buf);
        }
    }
}
