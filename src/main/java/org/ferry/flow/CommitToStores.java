package org.ferry.flow;

import org.ferry.store.LocationUrls;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.data.Digests;
import org.ferry.store.FileStore;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Commits the verified data to every target store in parallel, without reading it again to hash it: the writes the
 * data was streamed into are committed, a file store adopts the staged file (a hard link where staging and the store
 * share a filesystem), and only data staged by PUT /stage is streamed from staging, once. Each store that finishes gets its location, leaves
 * os_glance_importing_to_stores, and the image turns active at the first success, or after the last one with
 * all_stores_must_succeed; copy-image leaves the status alone.
 */
public final class CommitToStores extends FlowStep<CommittedStores> {
    private static final Logger LOG = LoggerFactory.getLogger(CommitToStores.class);

    private final StoreRegistry stores;
    private final ImageRepository images;
    private final ImportLock lock;
    private final ExecutorService pool;
    private final StoreAcls acls;

    public CommitToStores(StoreRegistry stores, ImageRepository images, ExecutorService pool, StoreAcls acls) {
        this.stores = stores;
        this.images = images;
        this.lock = new ImportLock(images);
        this.pool = pool;
        this.acls = acls;
    }

    /** What the parallel commits of one run have done so far; guarded by itself. */
    private static final class Progress {
        final List<String> committed = new ArrayList<>();
        final List<Long> locations = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
    }

    /**
     * A failure undoes the copies this step made before it throws (its revert then gets no result); a failure of a
     * later step gets them undone by {@link #revert}.
     */
    @Override
    protected CommittedStores execute(ImportState s) throws Exception {
        StagedData staged = s.result(StagedData.class)
                .orElseThrow(() -> new ImportFailure("image " + s.imageId() + " has no verified staged data"));
        Progress progress = new Progress();
        try {
            commitAll(s, staged, progress);
        } catch (Exception e) {
            removeCopies(s, progress.locations);
            throw e;
        }
        acls.update(s.imageId(), s.caller);
        synchronized (progress) {
            return new CommittedStores(progress.committed, progress.locations, progress.failed);
        }
    }

    private void commitAll(ImportState s, StagedData staged, Progress progress) throws Exception {
        Map<String, Future<String>> running = new LinkedHashMap<>();
        for (String id : s.targets) {
            running.put(id, pool.submit(() -> commitOne(s, id, staged, progress)));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (var e : running.entrySet()) {
            try {
                e.getValue().get();
            } catch (ExecutionException ex) {
                Throwable c = ex.getCause();
                errors.put(e.getKey(), c.getMessage() == null ? c.toString() : c.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            List<String> parts = new ArrayList<>();
            errors.forEach((k, v) -> parts.add("store " + k + ": " + v));
            boolean noneCommitted;
            synchronized (progress) {
                noneCommitted = progress.committed.isEmpty();
            }
            if (s.request.allStoresMustSucceed() || noneCommitted) {
                throw new ImportFailure("import to " + String.join("; ", parts));
            }
            LOG.warn("task {}: some stores failed and all_stores_must_succeed is false: {}", s.taskId(), parts);
        }
        if (s.request.allStoresMustSucceed() && s.request.method() != ImportMethod.COPY_IMAGE) {
            synchronized (progress) {
                lock.update(s, null, "changed status during the import", img -> img.status = ImageStatus.ACTIVE);
            }
        }
    }

    /** @return the location URL; throws with the reason on failure (recorded in the failed list) */
    private String commitOne(ImportState s, String storeId, StagedData staged, Progress progress) throws Exception {
        Digests d = staged.digests();
        try {
            Store store = stores.get(storeId).filter(Store::writable)
                    .orElseThrow(() -> new ImportFailure("not a writable store"));
            String url = write(s, store, staged);
            synchronized (progress) {
                Image img = lock.image(s);
                if (img.size != null && img.size != d.size() || img.checksum != null && !img.checksum.equals(d.md5())) {
                    store.delete(url, s.caller);
                    throw new ImportFailure("data does not match the image's existing size and checksum");
                }
                Location loc = images.addLocation(s.imageId(), url, Map.of("store", storeId), storeId, Location.ACTIVE);
                progress.locations.add(loc.id());
                progress.committed.add(storeId);
                lock.update(s, null, "changed during the import", i -> {
                    if (s.request.method() != ImportMethod.COPY_IMAGE) {
                        i.size = d.size();
                        i.checksum = d.md5();
                        i.osHashAlgo = d.hashAlgo();
                        i.osHashValue = d.hash();
                        if (!s.request.allStoresMustSucceed()) {
                            i.status = ImageStatus.ACTIVE;
                        }
                    }
                    StoreLists.remove(i, StoreLists.IMPORTING, s.recorded(List.of(storeId)));
                });
            }
            LOG.info("task {}: image {} committed to store {}", s.taskId(), s.imageId(), storeId);
            return url;
        } catch (Exception e) {
            staged.streamed().abort(storeId);
            if (e instanceof java.io.IOException) {
                stores.errors().record(storeId, org.ferry.store.StoreErrors.WRITE);
            }
            synchronized (progress) {
                progress.failed.add(storeId);
                if (!s.request.allStoresMustSucceed()) {
                    lock.whileLocked(s).ifPresent(i -> {
                        StoreLists.remove(i, StoreLists.IMPORTING, s.recorded(List.of(storeId)));
                        StoreLists.add(i, StoreLists.FAILED, s.recorded(List.of(storeId)));
                        lock.saveQuietly(s, i, null);
                    });
                }
            }
            throw e;
        }
    }

    /**
     * Puts the verified data into the store: commits the write the data was streamed into, or adopts the staged
     * file (a file store), or else streams the staged file into the store once (glance-direct: the data came in
     * by PUT /stage, so this is its one pass; its digests were recorded then).
     */
    private static String write(ImportState s, Store store, StagedData staged) throws Exception {
        if (staged.streamed().has(store.id())) {
            return staged.streamed().commit(store.id());
        }
        if (staged.path() == null) {
            throw new ImportFailure("no data was written for this store");
        }
        if (store.adoptsStagedFiles() && store instanceof FileStore fs) {
            return fs.adopt(staged.path(), s.imageId());
        }
        try (FileChannel in = FileChannel.open(staged.path(), StandardOpenOption.READ);
             StoreWrite write = store.beginWrite(s.imageId(), staged.digests().size(), s.caller)) {
            long size = in.size();
            for (long pos = 0; pos < size; ) {
                pos += in.transferTo(pos, size - pos, write.channel());
            }
            return write.commit();
        }
    }

    @Override
    protected void revert(ImportState s, CommittedStores committed) {
        if (committed != null) {
            removeCopies(s, committed.locations());
        }
    }

    /** Removes the locations this run added, and their data. */
    private void removeCopies(ImportState s, List<Long> locations) {
        Optional<Image> img = lock.whileLocked(s);
        if (img.isEmpty()) {
            return;
        }
        List<Long> added = List.copyOf(locations);
        for (Location l : img.get().locations) {
            if (added.contains(l.id())) {
                images.removeLocation(l.id());
                stores.forLocation(l.storeId(), l.url()).ifPresent(st -> {
                    try {
                        st.delete(l.url(), s.caller);
                    } catch (java.io.IOException e) {
                        LOG.warn("task {}: could not delete {} from store {}", s.taskId(), LocationUrls.shown(l.url()), st.id());
                    }
                });
            }
        }
    }
}
