package org.ferry.testing;

import org.ferry.store.DriverOptions;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test store that, like an rbd store, does not adopt staged files: it keeps its images in memory and records what
 * happened to each write (bytes written, commit, abort), so tests can prove the data reached it exactly once and
 * nothing became visible before verification. It can be told to fail its writes after some bytes and to offer
 * {@link #copyInside} from another store.
 */
public final class RecordingStore implements Store {
    private static final String SCHEME = "recording://";

    /** One write: its bytes so far and what became of it. */
    public static final class Write implements StoreWrite {
        public final String imageId;
        public final long expectedSize;
        public final boolean inside;
        private final RecordingStore store;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        public volatile boolean committed;
        public volatile boolean aborted;

        Write(RecordingStore store, String imageId, long expectedSize, boolean inside) {
            this.store = store;
            this.imageId = imageId;
            this.expectedSize = expectedSize;
            this.inside = inside;
        }

        public synchronized byte[] bytes() {
            return bytes.toByteArray();
        }

        @Override
        public WritableByteChannel channel() {
            return new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    if (committed || aborted) {
                        throw new IOException("write to a " + (committed ? "committed" : "aborted") + " write");
                    }
                    int n = src.remaining();
                    synchronized (Write.this) {
                        if (store.failAfter >= 0 && bytes.size() + n > store.failAfter) {
                            throw new IOException("recording store " + store.id() + " fails as told");
                        }
                        byte[] b = new byte[n];
                        src.get(b);
                        bytes.write(b, 0, n);
                    }
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public String commit() throws IOException {
            if (aborted) {
                throw new IOException("commit of an aborted write");
            }
            if (store.failCommit) {
                throw new IOException("recording store " + store.id() + " fails its commit as told");
            }
            committed = true;
            store.visible.put(imageId, bytes());
            return SCHEME + store.id() + "/" + imageId;
        }

        @Override
        public void abort() {
            if (!committed) {
                aborted = true;
            }
        }
    }

    private final StoreSettings settings;
    private final FileStoreOptions options;
    /** Every write begun, in order. */
    public final List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    /** The committed images: what a reader of the store sees. */
    public final Map<String, byte[]> visible = new ConcurrentHashMap<>();
    /** The URLs deleted. */
    public final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    /** A write fails once it would hold more than this many bytes; -1 never. */
    public volatile long failAfter = -1;
    public volatile boolean failCommit;
    /** The store {@link #copyInside} copies from, or null when it offers no copy inside. */
    public volatile Store copiesInsideFrom;

    public RecordingStore(String id, Path unusedDir) {
        this.settings = new StoreSettings(id, Optional.empty(), 0);
        // DriverOptions is sealed to Ferry's drivers; this one is never used to open a store
        this.options = new FileStoreOptions(unusedDir, 65536, false);
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public DriverOptions options() {
        return options;
    }

    @Override
    public String type() {
        return "recording";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of();
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        return beginWrite(imageId, -1);
    }

    @Override
    public StoreWrite beginWrite(String imageId, long expectedSize) {
        Write w = new Write(this, imageId, expectedSize, false);
        writes.add(w);
        return w;
    }

    @Override
    public Optional<StoreWrite> copyInside(Store source, String sourceUrl, String imageId) throws IOException {
        if (copiesInsideFrom == null || copiesInsideFrom != source) {
            return Optional.empty();
        }
        Write w = new Write(this, imageId, -1, true);
        try (StoreData d = source.open(sourceUrl)) {
            byte[] data = d.channel() != null
                    ? java.nio.channels.Channels.newInputStream(d.channel()).readAllBytes() : d.stream().readAllBytes();
            w.bytes.write(data, 0, data.length);
        }
        writes.add(w);
        return Optional.of(w);
    }

    /** The only write begun; fails when there is none or more than one. */
    public Write onlyWrite() {
        synchronized (writes) {
            if (writes.size() != 1) {
                throw new AssertionError("expected one write to store " + id() + ", got " + writes.size());
            }
            return writes.get(0);
        }
    }

    @Override
    public boolean owns(String url) {
        return url.startsWith(SCHEME + id() + "/");
    }

    @Override
    public StoreData open(String url) throws IOException {
        byte[] b = visible.get(url.substring(url.lastIndexOf('/') + 1));
        if (b == null) {
            throw new IOException("no image at " + url);
        }
        return new StoreData(b.length, null, new ByteArrayInputStream(b));
    }

    @Override
    public void delete(String url) {
        deleted.add(url);
        visible.remove(url.substring(url.lastIndexOf('/') + 1));
    }
}
