package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.store.Store;
import org.ferry.store.StoreInUseException;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * At start, removes what writes cut short by a crash left in the stores (an RBD image still marked as being
 * written, an S3 multipart upload of an image the catalog knows): data that no location in the catalog names and
 * that no upload or import is still writing. An import
 * the scheduler recovers cleans up after itself; this takes the rest. A crashed writer keeps its RBD image busy
 * until Ceph notices it is gone (osd_client_watch_timeout, 30 s by default), so busy leftovers are tried again.
 * It also lets each store resume what its committed copies still had to do ({@link Store#finishCopiesInside}).
 */
public final class UnfinishedStoreWrites {
    private static final Logger LOG = LoggerFactory.getLogger(UnfinishedStoreWrites.class);

    private final StoreRegistry stores;
    private final ImageRepository images;
    private final Duration retryEvery;
    private final int attempts;

    public UnfinishedStoreWrites(StoreRegistry stores, ImageRepository images, Duration retryEvery, int attempts) {
        this.stores = stores;
        this.images = images;
        this.retryEvery = retryEvery;
        this.attempts = attempts;
    }

    /** Sweeps on a background thread, so a slow or unreachable store does not hold up the start. */
    public Thread sweepInBackground() {
        Thread t = new Thread(this::sweep, "ferry-unfinished-writes");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A leftover to remove: an image id in a store. */
    private record Leftover(Store store, String imageId) {
    }

    void sweep() {
        List<Leftover> pending = new ArrayList<>();
        for (Store s : stores.all()) {
            try {
                for (String id : s.unfinishedWrites()) {
                    // one still being written is checked again below: its import may be a dead one that the
                    // scheduler is recovering right now, whose lock goes once it has reverted
                    if (s.marksItsWrites() || images.findWithDeleted(id).isPresent()) {
                        pending.add(new Leftover(s, id));
                    }
                }
                s.finishCopiesInside();
            } catch (IOException e) {
                LOG.warn("store {}: cannot look for unfinished writes: {}", s.id(), e.getMessage());
            }
        }
        for (int attempt = 1; !pending.isEmpty() && attempt <= attempts; attempt++) {
            if (attempt > 1 && !pause()) {
                return;
            }
            List<Leftover> busy = new ArrayList<>();
            for (Leftover l : pending) {
                try {
                    if (stillBeingWritten(l.imageId())) {
                        busy.add(l); // its writer removes it if it fails; else it is looked at again
                        continue;
                    }
                    l.store().purgePartials(l.imageId());
                    LOG.info("store {}: nothing is left of the unfinished write of image {}", l.store().id(),
                            l.imageId());
                } catch (StoreInUseException e) {
                    busy.add(l);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("store {}: cannot remove the unfinished write of image {}: {}", l.store().id(),
                            l.imageId(), e.toString());
                }
            }
            pending = busy;
        }
        for (Leftover l : pending) {
            if (!stillBeingWritten(l.imageId())) {
                LOG.warn("store {}: the unfinished write of image {} is still held open; it is removed at the next "
                        + "start", l.store().id(), l.imageId());
            }
        }
    }

    private boolean pause() {
        try {
            Thread.sleep(retryEvery.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** An upload (saving) or an import (its lock) may still be writing the image, here or on another node. */
    private boolean stillBeingWritten(String imageId) {
        Optional<Image> img = images.find(imageId);
        return img.isPresent() && (ImageStatus.SAVING.equals(img.get().status)
                || img.get().properties.containsKey(StoreLists.LOCK));
    }
}
