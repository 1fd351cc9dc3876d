package org.ferry.store.s3;

import com.sun.jna.Memory;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One image being written to S3 from a single pass over its bytes. The bytes fill part buffers of
 * s3_store_large_object_chunk_size off the heap; an image that fits in one part is one PUT, a larger one (or one of
 * unknown size that outgrows a part) a multipart upload whose parts go up on the store's threads while the next part
 * fills, at most {@code inFlight} at a time. A failure or an abort aborts the multipart upload, so S3 keeps nothing;
 * nothing is visible under the key before {@link #commit}.
 */
final class S3Write implements StoreWrite {
    private static final Logger LOG = LoggerFactory.getLogger(S3Write.class);
    /** S3 refuses part numbers above this. */
    static final int MAX_PARTS = 10_000;

    private final S3Client s3;
    private final ExecutorService uploads;
    private final String bucket;
    private final String key;
    private final String url;
    private final int partSize;
    private final int inFlight;
    private final List<Memory> free = new ArrayList<>();
    private final List<Memory> all = new ArrayList<>();
    /** The parts sent, in order; each holds its buffer until its upload was waited for. */
    private final List<Part> parts = new ArrayList<>();
    private final WritableByteChannel channel = new Channel();
    private Memory filling;
    private int filled;
    private long written;
    private String uploadId;
    private boolean done;
    private boolean committed;

    S3Write(S3Client s3, ExecutorService uploads, String bucket, String key, String url, int partSize, int inFlight) {
        this.s3 = s3;
        this.uploads = uploads;
        this.bucket = bucket;
        this.key = key;
        this.url = url;
        this.partSize = partSize;
        this.inFlight = inFlight;
    }

    @Override
    public WritableByteChannel channel() {
        return channel;
    }

    private final class Channel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            if (done) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            while (src.hasRemaining()) {
                if (filling == null) {
                    filling = buffer();
                    filled = 0;
                }
                int take = Math.min(src.remaining(), partSize - filled);
                ByteBuffer slice = src.slice();
                slice.limit(take);
                filling.getByteBuffer(filled, take).put(slice);
                src.position(src.position() + take);
                filled += take;
                if (filled == partSize) {
                    sendPart();
                }
            }
            written += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return !done;
        }

        @Override
        public void close() {
        }
    }

    /** A free part buffer, waiting for the oldest upload in flight when {@code inFlight} parts are on their way. */
    private Memory buffer() throws IOException {
        if (free.isEmpty() && all.size() < inFlight + 1) {
            Memory m = new Memory(partSize);
            all.add(m);
            return m;
        }
        while (free.isEmpty()) {
            awaitOldestUnfinished();
        }
        return free.remove(free.size() - 1);
    }

    /** Starts the upload of the full part buffer, beginning the multipart upload with the first part. */
    private void sendPart() throws IOException {
        if (uploadId == null) {
            try {
                uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            } catch (SdkException e) {
                throw S3Store.failure("starting a multipart upload of " + key, e);
            }
        }
        int number = parts.size() + 1;
        if (number > MAX_PARTS) {
            throw new IOException("the image needs more than " + MAX_PARTS + " parts of "
                    + (partSize >> 20) + " MiB (s3_store_large_object_chunk_size)");
        }
        Memory buf = filling;
        int length = filled;
        filling = null;
        filled = 0;
        String id = uploadId;
        parts.add(new Part(uploads.submit(() -> {
            String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(number)
                    .contentLength((long) length), body(buf, length)).eTag();
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        }), buf));
    }

    /** A part's upload, and the buffer it reads until it has ended. */
    private static final class Part {
        final Future<CompletedPart> upload;
        Memory buffer;

        Part(Future<CompletedPart> upload, Memory buffer) {
            this.upload = upload;
            this.buffer = buffer;
        }
    }

    private static RequestBody body(Memory buf, int length) {
        return RequestBody.fromContentProvider(() -> new BufferStream(buf.getByteBuffer(0, length)), length,
                "application/octet-stream");
    }

    /** Waits for the oldest part still holding its buffer, and frees that buffer. */
    private void awaitOldestUnfinished() throws IOException {
        for (Part p : parts) {
            if (p.buffer != null) {
                result(p.upload);
                free.add(p.buffer);
                p.buffer = null;
                return;
            }
        }
        throw new IllegalStateException("no part in flight to wait for");
    }

    private CompletedPart result(Future<CompletedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading " + key, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof SdkException s ? S3Store.failure("uploading a part of " + key, s)
                    : new IOException("uploading a part of " + key + ": " + c, c);
        }
    }

    @Override
    public String commit() throws IOException {
        if (done) {
            throw new IOException("the write of " + key + " is already finished");
        }
        try {
            if (uploadId == null) {
                int length = filled;
                Memory buf = filling;
                s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                        buf == null ? RequestBody.empty() : body(buf, length));
            } else {
                if (filled > 0) {
                    sendPart();
                }
                List<CompletedPart> completed = new ArrayList<>();
                for (Part p : parts) {
                    completed.add(result(p.upload));
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(completed)));
            }
            long stored = s3.headObject(b -> b.bucket(bucket).key(key)).contentLength();
            if (stored != written) {
                throw new IOException("S3 holds " + stored + " bytes of " + key + " where " + written
                        + " were written");
            }
            committed = true;
            return url;
        } catch (SdkException e) {
            throw S3Store.failure("writing " + key, e);
        } finally {
            if (!committed) {
                abort();
            }
            release();
        }
    }

    @Override
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        // every part upload must have ended before its buffer is freed: a cancelled future may still be running
        boolean interrupted = false;
        for (Part p : parts) {
            while (true) {
                try {
                    p.upload.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break; // the upload is aborted anyway
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException e) {
                LOG.warn("could not abort the multipart upload of {} ({}); it is aborted at the next start", key,
                        S3Store.describe(e));
            }
        }
        release();
    }

    private void release() {
        done = true;
        for (Memory m : all) {
            m.close();
        }
        all.clear();
        free.clear();
    }

    /** An input stream over a buffer, which the SDK may ask for more than once (it hashes the body to sign it). */
    private static final class BufferStream extends InputStream {
        private final ByteBuffer buf;

        BufferStream(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return buf.remaining();
        }
    }
}
