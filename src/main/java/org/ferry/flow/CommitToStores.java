package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.data.Digests;
import org.ferry.store.FileStore;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Commits the verified staged file to every target store in parallel, without reading it again to hash it (a hard
 * link where staging and the store share a filesystem). Each store that finishes gets its location, leaves
 * os_glance_importing_to_stores, and the image turns active at the first success, or after the last one with
 * all_stores_must_succeed; copy-image leaves the status alone.
 */
public final class CommitToStores extends FlowStep {
    private static final Logger LOG = LoggerFactory.getLogger(CommitToStores.class);

    private final StoreRegistry stores;
    private final ImageRepository images;
    private final ExecutorService pool;

    public CommitToStores(StoreRegistry stores, ImageRepository images, ExecutorService pool) {
        this.stores = stores;
        this.images = images;
        this.pool = pool;
    }

    @Override
    protected void execute(ImportState s) throws Exception {
        Map<String, Future<String>> running = new LinkedHashMap<>();
        for (String id : s.targets) {
            running.put(id, pool.submit(() -> commitOne(s, id)));
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
            if (s.request.allStoresMustSucceed() || s.committed.isEmpty()) {
                throw new ImportFailure("import to " + String.join("; ", parts));
            }
            LOG.warn("task {}: some stores failed and all_stores_must_succeed is false: {}", s.taskId(), parts);
        }
        if (s.request.allStoresMustSucceed() && !s.request.method().equals(ImportRequest.COPY_IMAGE)) {
            synchronized (s) {
                Image img = image(s);
                ImageStatus from = img.status;
                img.status = ImageStatus.ACTIVE;
                if (!images.save(img, from)) {
                    throw new ImportFailure("image " + s.imageId() + " changed status during the import");
                }
            }
        }
    }

    /** @return the location URL; throws with the reason on failure (recorded in the failed list) */
    private String commitOne(ImportState s, String storeId) throws Exception {
        Digests d = s.digests;
        try {
            Store store = stores.get(storeId).filter(Store::writable)
                    .orElseThrow(() -> new ImportFailure("not a writable store"));
            if (!(store instanceof FileStore fs)) {
                throw new ImportFailure("store type " + store.type() + " cannot be written");
            }
            String url = fs.adopt(s.staged, s.imageId());
            synchronized (s) {
                Image img = image(s);
                if (img.size != null && img.size != d.size() || img.checksum != null && !img.checksum.equals(d.md5())) {
                    fs.delete(url);
                    throw new ImportFailure("data does not match the image's existing size and checksum");
                }
                Location loc = images.addLocation(s.imageId(), url, Map.of("store", storeId), storeId, Location.ACTIVE);
                s.newLocations.add(loc.id());
                s.committed.add(storeId);
                img = image(s);
                ImageStatus from = img.status;
                if (!s.request.method().equals(ImportRequest.COPY_IMAGE)) {
                    img.size = d.size();
                    img.checksum = d.md5();
                    img.osHashAlgo = d.hashAlgo();
                    img.osHashValue = d.hash();
                    if (!s.request.allStoresMustSucceed()) {
                        img.status = ImageStatus.ACTIVE;
                    }
                }
                StoreLists.remove(img, StoreLists.IMPORTING, s.recorded(List.of(storeId)));
                if (!images.save(img, from)) {
                    throw new ImportFailure("image " + s.imageId() + " changed during the import");
                }
            }
            LOG.info("task {}: image {} committed to store {}", s.taskId(), s.imageId(), storeId);
            return url;
        } catch (Exception e) {
            if (e instanceof java.io.IOException) {
                stores.errors().record(storeId, org.ferry.store.StoreErrors.WRITE);
            }
            synchronized (s) {
                s.failedStores.add(storeId);
                if (!s.request.allStoresMustSucceed()) {
                    Optional<Image> img = images.find(s.imageId());
                    img.ifPresent(i -> {
                        StoreLists.remove(i, StoreLists.IMPORTING, s.recorded(List.of(storeId)));
                        StoreLists.add(i, StoreLists.FAILED, s.recorded(List.of(storeId)));
                        images.save(i, null);
                    });
                }
            }
            throw e;
        }
    }

    private Image image(ImportState s) throws ImportFailure {
        return images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
    }

    @Override
    protected void revert(ImportState s) {
        Optional<Image> img = images.find(s.imageId());
        if (img.isEmpty()) {
            return;
        }
        for (Location l : img.get().locations) {
            if (s.newLocations.contains(l.id())) {
                images.removeLocation(l.id());
                stores.forLocation(l.storeId(), l.url()).ifPresent(st -> {
                    try {
                        st.delete(l.url());
                    } catch (java.io.IOException e) {
                        LOG.warn("task {}: could not delete {} from store {}", s.taskId(), l.url(), st.id());
                    }
                });
            }
        }
        s.committed.clear();
    }
}
