package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Every change a running import makes to its image goes through here (Glance's {@code ImportActionWrapper}): load the
 * image, require that the task still holds its import lock ({@link StoreLists#LOCK}) and that the image still has
 * the status the change expects, apply the change, and save it only if the stored status is still that one. Each way
 * this can go wrong is an {@link ImportFailure} saying which: the image was deleted, the lock was lost, the status
 * moved.
 *
 * <p>The lock is checked when the image is loaded, not inside the UPDATE; a takeover between the two is caught by
 * the next change (the lock is only taken over from a task that showed no progress for an hour).
 */
public final class ImportLock {
    private static final Logger LOG = LoggerFactory.getLogger(ImportLock.class);

    /** A change to the image; it may refuse by throwing (e.g. a precondition the status check does not cover). */
    @FunctionalInterface
    public interface Change {
        void apply(Image img) throws ImportFailure;
    }

    private final ImageRepository images;

    public ImportLock(ImageRepository images) {
        this.images = images;
    }

    /** The image, as long as it exists and the task holds its import lock. */
    public Image image(ImportState s) throws ImportFailure {
        Image img = images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
        String owner = img.properties.get(StoreLists.LOCK);
        if (!s.taskId().equals(owner)) {
            throw new ImportFailure("the import lock of image " + s.imageId() + " is held by "
                    + (owner == null ? "nobody" : "task " + owner) + ", not by this task");
        }
        return img;
    }

    /**
     * Loads the image (see {@link #image}), requires {@code expectedStatus} (null: any), applies the change and saves
     * it only if the stored status is still the expected one (null: the one loaded).
     *
     * @param whenMoved what happened if the status moved, after "image {id} ", e.g. "is no longer importing"
     * @return the image as saved
     */
    public Image update(ImportState s, ImageStatus expectedStatus, String whenMoved, Change change) throws ImportFailure {
        Image img = image(s);
        if (expectedStatus != null && !expectedStatus.equals(img.status)) {
            throw moved(s, whenMoved);
        }
        ImageStatus from = img.status;
        change.apply(img);
        save(s, img, expectedStatus == null ? from : expectedStatus, whenMoved);
        return img;
    }

    /**
     * Saves an image loaded by {@link #image} and changed by the caller (for changes that depend on work done between
     * loading and saving), only if the stored status is still {@code expectedStatus}.
     */
    public void save(ImportState s, Image img, ImageStatus expectedStatus, String whenMoved) throws ImportFailure {
        if (!images.save(img, expectedStatus)) {
            throw moved(s, whenMoved);
        }
    }

    /**
     * The image for a revert or other bookkeeping that must not throw: empty (and logged) when it is gone or the lock
     * was taken over by another task, whose work must not be undone.
     */
    public Optional<Image> whileLocked(ImportState s) {
        try {
            return Optional.of(image(s));
        } catch (ImportFailure e) {
            LOG.warn("task {}: not reverting changes to image {}: {}", s.taskId(), s.imageId(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Saves a revert's change if the stored status is still {@code expectedStatus} (null: whatever it is); a revert
     * must not throw, so a status that moved is logged.
     */
    public void saveQuietly(ImportState s, Image img, ImageStatus expectedStatus) {
        if (!images.save(img, expectedStatus)) {
            LOG.warn("task {}: image {} changed while its failed import was being reverted", s.taskId(), s.imageId());
        }
    }

    private static ImportFailure moved(ImportState s, String whenMoved) {
        return new ImportFailure("image " + s.imageId() + " " + whenMoved);
    }
}
