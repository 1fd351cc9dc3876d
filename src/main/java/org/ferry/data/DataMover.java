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
 * {@code hashing_algorithm} each run on their own thread, fed by a small pool of reusable buffers, so hashing
 * overlaps with I/O and memory stays at {@code buffers x bufferSize} whatever the image size.
 */
public final class DataMover {
    private static final Chunk END = new Chunk(null, 0, null);

    private final ExecutorService digestThreads;
    private final int bufferSize;
    private final int buffers;

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
        BlockingQueue<byte[]> pool = new ArrayBlockingQueue<>(buffers);
        for (int i = 0; i < buffers; i++) {
            pool.add(new byte[bufferSize]);
        }
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
                byte[] buf = pool.take();
                int len = fill(in, buf);
                if (len <= 0) {
                    pool.add(buf);
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
                for (WritableByteChannel out : outs) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                }
                Chunk c = new Chunk(buf, len, new AtomicInteger(2));
                md5Queue.put(c);
                hashQueue.put(c);
                if (progress != null) {
                    progress.moved(total);
                }
                if (len < buf.length) {
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
            return new Digests(total, hex.formatHex(md5.get()), hashAlgo, hex.formatHex(hash.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing image data", e);
        } catch (ExecutionException e) {
            throw new IOException("hashing image data failed", e.getCause());
        }
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

    private static byte[] digest(BlockingQueue<Chunk> queue, BlockingQueue<byte[]> pool, MessageDigest md)
            throws InterruptedException {
        while (true) {
            Chunk c = queue.take();
            if (c == END) {
                return md.digest();
            }
            md.update(c.buf, 0, c.len);
            if (c.refs.decrementAndGet() == 0) {
                pool.add(c.buf);
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

    private record Chunk(byte[] buf, int len, AtomicInteger refs) {
    }
}
