package org.ferry.flow;

import org.ferry.auth.RequestContext;

import org.ferry.store.LocationUrls;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first step of each import route, so the route file states what its failure leaves: the step does nothing, and
 * its revert, which runs last, puts the image back as a failed import of that kind must be left (Glance's outcome
 * table). In every outcome but {@link Outcome#DELETED} the target stores leave os_glance_importing_to_stores and go
 * to os_glance_failed_import unless they hold the data.
 */
public final class RestoreImageOnFailure extends FlowStep<Void> {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreImageOnFailure.class);

    /** What a failed import leaves, with the name of its step in the route files. */
    public enum Outcome {
        /** web-download, glance-download: queued again with no data. */
        QUEUED("returnToQueuedOnFailure"),
        /** glance-direct: uploading with its staged data kept (queued if that is gone), so it can be imported again. */
        UPLOADING("returnToUploadingOnFailure"),
        /** copy-image: still active, with the copies it had. */
        ACTIVE("keepActiveOnFailure"),
        /** legacy import task: deleted with whatever data it has, as Glance reverts the task's image creation. */
        DELETED("deleteImageOnFailure");

        private final String stepName;

        Outcome(String stepName) {
            this.stepName = stepName;
        }

        public String stepName() {
            return stepName;
        }
    }

    private final ImageRepository images;
    private final ImportLock lock;
    private final StoreRegistry stores;
    private final Outcome outcome;

    public RestoreImageOnFailure(ImageRepository images, StoreRegistry stores, Outcome outcome) {
        this.images = images;
        this.lock = new ImportLock(images);
        this.stores = stores;
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }

    @Override
    protected Void execute(ImportState s) {
        return null;
    }

    @Override
    protected void revert(ImportState s, Void nothing) {
        lock.whileLocked(s).ifPresent(img -> {
            if (outcome == Outcome.DELETED) {
                discard(img, s.caller);
                return;
            }
            ImageStatus from = img.status;
            restore(img, s.targets, s.recordStores);
            lock.saveQuietly(s, img, from);
        });
    }

    /**
     * The same for a task whose process died: its lock was dropped already (whoever took it over owns the clean-up),
     * so the image is changed without a lock.
     */
    void restoreDeadTask(String imageId, List<String> targets, boolean recordStores) {
        images.find(imageId).ifPresent(img -> {
            if (outcome == Outcome.DELETED) {
                discard(img, null);
                return;
            }
            ImageStatus from = img.status;
            restore(img, targets, recordStores);
            if (!images.save(img, from)) {
                LOG.warn("image {} changed while its failed import was being reverted", imageId);
            }
        });
    }

    private void restore(Image img, List<String> targets, boolean recordStores) {
        if (ImageStatus.IMPORTING.equals(img.status)) {
            if (outcome == Outcome.UPLOADING && stores.staging().pathOf(img.id).toFile().exists()) {
                img.status = ImageStatus.UPLOADING;
            } else if (outcome != Outcome.ACTIVE) {
                img.status = ImageStatus.QUEUED;
                img.clearData();
            }
        }
        if (recordStores) {
            List<String> held = img.storeIds();
            StoreLists.remove(img, StoreLists.IMPORTING, targets);
            StoreLists.add(img, StoreLists.FAILED, targets.stream().filter(t -> !held.contains(t)).toList());
        } else {
            img.properties.putIfAbsent(StoreLists.IMPORTING, "");
            img.properties.putIfAbsent(StoreLists.FAILED, "");
        }
    }

    /** Deletes the image and whatever data it has in a store; staged and half-written files are gone by now. */
    private void discard(Image img, RequestContext caller) {
        for (Location l : img.locations) {
            stores.forLocation(l.storeId(), l.url()).ifPresent(st -> {
                try {
                    st.delete(l.url(), caller);
                } catch (IOException e) {
                    LOG.warn("image {}: could not delete {} from store {}: {}", img.id, LocationUrls.shown(l.url()), st.id(), e.toString());
                }
            });
        }
        if (images.softDelete(img.id)) {
            LOG.info("image {}: deleted, its import task failed", img.id);
        }
    }
}
