package org.ferry.flow;

import org.ferry.auth.RequestContext;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open writes of one import to the target stores that do not adopt staged files (every store but a file store):
 * they are fed while the data streams in, so its bytes pass once, and stay invisible until {@link CommitToStores}
 * commits them after the data is verified. One store's write failing does not stop the stream: the failure is kept
 * and reported when that store is committed, as a failed commit was before. Thread-safe.
 */
public final class StreamedWrites {
    private static final Logger LOG = LoggerFactory.getLogger(StreamedWrites.class);

    /** The one empty set that is never added to, so data without writes compares equal. */
    private static final StreamedWrites NONE = new StreamedWrites();

    private final Map<String, StoreWrite> open = new LinkedHashMap<>();
    private final Map<String, IOException> failed = new LinkedHashMap<>();

    /** A set to add writes to. */
    StreamedWrites() {
    }

    /** No writes: every target adopts the staged file (or there is none to write). */
    public static StreamedWrites none() {
        return NONE;
    }

    /** The target stores a pass must write while streaming: known, writable, and not adopting staged files. */
    static List<Store> streamedTargets(StoreRegistry stores, List<String> targets) {
        List<Store> out = new ArrayList<>();
        for (String id : targets) {
            stores.get(id).filter(Store::writable).filter(st -> !st.adoptsStagedFiles()).ifPresent(out::add);
        }
        return out;
    }

    /** Whether some target takes the staged file as it is, so the data must be staged. */
    static boolean someTargetAdopts(StoreRegistry stores, List<String> targets) {
        return targets.stream().anyMatch(id -> stores.get(id).filter(Store::writable)
                .map(Store::adoptsStagedFiles).orElse(false));
    }

    /**
     * Begins a write in each store on behalf of the import's caller; a store that cannot begin one is recorded as
     * failed.
     */
    static StreamedWrites begin(List<Store> targets, String imageId, long expectedSize, RequestContext caller) {
        if (targets.isEmpty()) {
            return NONE;
        }
        StreamedWrites w = new StreamedWrites();
        for (Store st : targets) {
            try {
                w.add(st.id(), st.beginWrite(imageId, expectedSize, caller));
            } catch (IOException e) {
                w.fail(st.id(), e);
            }
        }
        return w;
    }

    synchronized void add(String storeId, StoreWrite write) {
        requireNotNone();
        open.put(storeId, write);
    }

    /** Takes over another pass's writes and failures (a copy that succeeded). */
    synchronized void addAll(StreamedWrites other) {
        requireNotNone();
        synchronized (other) {
            open.putAll(other.open);
            failed.putAll(other.failed);
            other.open.clear();
            other.failed.clear();
        }
    }

    /** Whether this holds a write (or its failure) for the store. */
    synchronized boolean has(String storeId) {
        return open.containsKey(storeId) || failed.containsKey(storeId);
    }

    synchronized boolean isEmpty() {
        return open.isEmpty() && failed.isEmpty();
    }

    /** The channels to stream into, one per open write; a channel whose store fails swallows the rest. */
    synchronized List<WritableByteChannel> channels() {
        List<WritableByteChannel> out = new ArrayList<>();
        open.forEach((id, w) -> out.add(new Guarded(id, w.channel())));
        return out;
    }

    /** Commits the store's write; throws its failure if it failed while streaming or now. */
    String commit(String storeId) throws IOException {
        StoreWrite w;
        synchronized (this) {
            IOException e = failed.get(storeId);
            if (e != null) {
                throw e;
            }
            w = open.get(storeId);
        }
        if (w == null) {
            throw new IOException("no write was started in store " + storeId);
        }
        return w.commit();
    }

    /** Aborts one store's write (a no-op once it is committed). */
    void abort(String storeId) {
        StoreWrite w;
        synchronized (this) {
            w = open.get(storeId);
        }
        if (w != null) {
            w.abort();
        }
    }

    /** Aborts every write that is not committed, so nothing is left in those stores. */
    void abortAll() {
        List<StoreWrite> all;
        synchronized (this) {
            all = List.copyOf(open.values());
        }
        for (StoreWrite w : all) {
            try {
                w.abort();
            } catch (RuntimeException e) {
                LOG.warn("aborting a store write failed: {}", e.toString());
            }
        }
    }

    private void requireNotNone() {
        if (this == NONE) {
            throw new IllegalStateException("the empty set of writes is shared; start a new one");
        }
    }

    private synchronized void fail(String storeId, IOException e) {
        requireNotNone();
        failed.putIfAbsent(storeId, e);
    }

    /** A store's channel that, once a write to it failed, aborts it and drops the rest of the data. */
    private final class Guarded implements WritableByteChannel {
        private final String storeId;
        private final WritableByteChannel out;
        private boolean broken;

        Guarded(String storeId, WritableByteChannel out) {
            this.storeId = storeId;
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) {
            if (!broken) {
                try {
                    return out.write(src);
                } catch (IOException | RuntimeException e) {
                    broken = true;
                    LOG.warn("writing to store {} failed, the other stores go on: {}", storeId, e.toString());
                    fail(storeId, e instanceof IOException io ? io : new IOException(e.toString(), e));
                    abort(storeId);
                }
            }
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // the write is committed or aborted, not closed
        }
    }
}
