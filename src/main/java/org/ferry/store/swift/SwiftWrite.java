package org.ferry.store.swift;

import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSink;
import okio.Pipe;
import okio.Sink;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One image being written to Swift from a single pass over its bytes, as Glance lays it out: an image of known size
 * below swift_store_large_object_size is one object; a larger one, or one of unknown size, is segments
 * {@code <object>-00001}, {@code <object>-00002}… of swift_store_large_object_chunk_size in the same container, then
 * a manifest {@code <object>} with {@code X-Object-Manifest: <container>/<object>-} (a dynamic large object), which
 * Glance reads and deletes as its own.
 * <p>
 * The bytes stream into each PUT through a small pipe (never a whole segment in memory). One segment receives bytes
 * at a time, since they arrive in order; while it does, the segments before it may still be finishing on the server
 * (their last bytes, checksum and container update), so several segment uploads overlap. Nothing is visible under
 * the object's name before the manifest is written at {@link #commit}, which then checks the size Swift reports. A
 * failure or an abort removes every segment written.
 */
final class SwiftWrite implements StoreWrite {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftWrite.class);
    /** Bytes buffered between the writer and the PUT being sent. */
    private static final long PIPE_BYTES = 1 << 20;
    /** Segments whose bytes are all sent and whose answer is awaited, at most. */
    private static final int FINISHING = 4;

    private final SwiftAccount account;
    private final OkHttpClient http;
    private final ExecutorService uploads;
    private final String container;
    private final String object;
    private final String url;
    private final long expectedSize;
    private final long segmentSize;
    private final boolean segmented;
    private final WritableByteChannel channel = new Channel();
    private final List<Upload> segments = new ArrayList<>();
    private final Buffer copy = new Buffer();
    private Upload current;
    private long written;
    private boolean manifestWritten;
    private boolean done;
    private boolean committed;

    /**
     * @param expectedSize the image size, or -1 when unknown
     * @param segmented    whether the image goes in segments (Glance: unknown size, or at least the large size)
     */
    SwiftWrite(SwiftAccount account, OkHttpClient http, ExecutorService uploads, String container, String object,
               String url, long expectedSize, long segmentSize, boolean segmented) {
        this.account = account;
        this.http = http;
        this.uploads = uploads;
        this.container = container;
        this.object = object;
        this.url = url;
        this.expectedSize = expectedSize;
        this.segmentSize = segmentSize;
        this.segmented = segmented;
    }

    @Override
    public WritableByteChannel channel() {
        return channel;
    }

    /** One PUT whose body streams through a pipe; {@code name} is the object or the segment. */
    private final class Upload {
        final String name;
        final long length;
        final Pipe pipe = new Pipe(PIPE_BYTES);
        final Sink sink = pipe.sink();
        final Call call;
        final Future<Void> answer;
        long sent;

        Upload(String name, long length) throws IOException {
            this.name = name;
            this.length = length;
            RequestBody body = new RequestBody() {
                @Override
                public MediaType contentType() {
                    return MediaType.get("application/octet-stream");
                }

                @Override
                public long contentLength() {
                    return length;
                }

                @Override
                public void writeTo(BufferedSink out) throws IOException {
                    out.writeAll(pipe.source());
                }
            };
            this.call = http.newCall(account.authorized(new Request.Builder().url(account.url(container, name))
                    .put(body)));
            this.answer = uploads.submit(() -> {
                try (Response r = call.execute()) {
                    if (r.code() != 201) {
                        if (r.code() == 401) {
                            account.invalidate(r.request().header("X-Auth-Token"));
                        }
                        throw SwiftStore.answered("writing " + container + "/" + name, r);
                    }
                    return null;
                } finally {
                    pipe.source().close(); // the writer stops at once when the PUT failed
                }
            });
        }

        void write(ByteBuffer src, int n) throws IOException {
            ByteBuffer slice = src.slice();
            slice.limit(n);
            copy.write(slice);
            src.position(src.position() + n);
            try {
                sink.write(copy, n);
            } catch (IOException e) {
                copy.clear();
                throw failureOf(e);
            }
            sent += n;
        }

        /** All bytes are in the pipe: the PUT ends once they are sent. */
        void seal() throws IOException {
            try {
                sink.close();
            } catch (IOException e) {
                throw failureOf(e);
            }
        }

        /** Why the pipe refused bytes: the PUT's own failure when it has one. */
        private IOException failureOf(IOException pipeError) {
            if (answer.isDone()) {
                try {
                    await();
                } catch (IOException e) {
                    return e;
                }
            }
            return pipeError;
        }

        void await() throws IOException {
            try {
                answer.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.cancel();
                throw new IOException("interrupted while writing " + container + "/" + name, e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof IOException io ? io : new IOException("writing " + container + "/" + name
                        + ": " + c, c);
            }
        }
    }

    private final class Channel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            if (done) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            if (expectedSize >= 0 && written + n > expectedSize) {
                throw new IOException("Size exceeds: expected " + expectedSize + " bytes, got " + (written + n)
                        + " bytes");
            }
            while (src.hasRemaining()) {
                if (current == null) {
                    current = start();
                }
                long room = current.length < 0 ? segmentSize - current.sent : current.length - current.sent;
                int take = (int) Math.min(src.remaining(), room);
                current.write(src, take);
                written += take;
                if (current.sent == (current.length < 0 ? segmentSize : current.length)) {
                    finishCurrent();
                }
            }
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

    /** The next PUT: the object itself, or the next segment (of known length when the image size is known). */
    private Upload start() throws IOException {
        if (!segmented) {
            return new Upload(object, expectedSize);
        }
        while (segments.stream().filter(u -> !u.answer.isDone()).count() >= FINISHING) {
            segments.stream().filter(u -> !u.answer.isDone()).findFirst().orElseThrow().await();
        }
        String name = segmentName(object, segments.size() + 1);
        long length = expectedSize < 0 ? -1 : Math.min(segmentSize, expectedSize - written);
        Upload u = new Upload(name, length);
        segments.add(u);
        return u;
    }

    private void finishCurrent() throws IOException {
        Upload u = current;
        current = null;
        u.seal();
        if (!segmented) {
            u.await();
        }
    }

    /** Glance's segment names: the object name, a dash, five digits from 1. */
    static String segmentName(String object, int number) {
        return String.format("%s-%05d", object, number);
    }

    @Override
    public String commit() throws IOException {
        if (done) {
            throw new IOException("the write of " + container + "/" + object + " is already finished");
        }
        try {
            if (expectedSize >= 0 && written != expectedSize) {
                throw new IOException("Size mismatch: expected " + expectedSize + " bytes, got " + written + " bytes");
            }
            if (current != null) {
                finishCurrent();
            } else if (!segmented && written == 0) {
                Upload empty = new Upload(object, 0);
                empty.seal();
                empty.await();
            }
            for (Upload u : segments) {
                u.await();
            }
            if (segmented) {
                writeManifest();
            }
            long stored = storedSize();
            if (stored != written) {
                throw new IOException("Swift holds " + stored + " bytes of " + container + "/" + object + " where "
                        + written + " were written");
            }
            committed = true;
            return url;
        } finally {
            if (!committed) {
                abort();
            }
            done = true;
        }
    }

    private void writeManifest() throws IOException {
        Request.Builder put = new Request.Builder().url(account.url(container, object))
                .header("X-Object-Manifest", container + "/" + object + "-")
                .put(RequestBody.create(new byte[0]));
        try (Response r = account.send(put)) {
            if (r.code() != 201) {
                throw SwiftStore.answered("writing the manifest " + container + "/" + object, r);
            }
        }
        manifestWritten = true;
    }

    /**
     * The size Swift reports for the object. A manifest's size comes from the container listing, which a busy
     * Swift may update a moment after a segment's PUT was answered: a short answer is asked again a few times.
     */
    private long storedSize() throws IOException {
        long size = -1;
        for (int attempt = 0; attempt < 5; attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while checking " + container + "/" + object, e);
                }
            }
            try (Response r = account.send(new Request.Builder().url(account.url(container, object)).head())) {
                if (r.code() / 100 != 2) {
                    throw SwiftStore.answered("checking " + container + "/" + object, r);
                }
                String length = r.header("Content-Length");
                size = length == null ? -1 : Long.parseLong(length);
            }
            if (size == written || !segmented) {
                return size;
            }
        }
        return size;
    }

    @Override
    public void abort() {
        if (done && committed) {
            return;
        }
        boolean wasDone = done;
        done = true;
        if (wasDone && current == null && segments.isEmpty() && !manifestWritten) {
            return;
        }
        List<Upload> all = new ArrayList<>(segments);
        if (current != null && !segmented) {
            all.add(current);
        }
        current = null;
        for (Upload u : all) {
            u.call.cancel();
            try {
                u.sink.close();
            } catch (IOException ignored) {
                // the PUT was cancelled
            }
            try {
                u.await();
            } catch (IOException ignored) {
                // cancelled or failed: the segment is removed below either way
            }
        }
        if (manifestWritten) {
            deleteQuietly(object);
        }
        for (Upload u : segments) {
            deleteQuietly(u.name);
        }
        if (!segmented && written > 0) {
            deleteQuietly(object); // a single PUT may have landed just before it was cancelled
        }
        segments.clear();
        copy.clear();
    }

    private void deleteQuietly(String name) {
        try (Response r = account.send(new Request.Builder().url(account.url(container, name)).delete())) {
            if (r.code() / 100 != 2 && r.code() != 404) {
                LOG.warn("could not remove {}/{} of an aborted write (Swift answered {}); it is removed at the next "
                        + "start", container, name, r.code());
            }
        } catch (IOException e) {
            LOG.warn("could not remove {}/{} of an aborted write ({}); it is removed at the next start", container,
                    name, e.getMessage());
        }
    }
}
