package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.Digests;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Location import without validation data (glance {@code _CalculateHash} after {@code _SetImageToActiveTask}): the
 * image is already active and usable; its data is read once to record checksum, {@code hashing_algorithm} hash and
 * the size actually read. A read failure leaves the image active without hashes (as Glance: the location add itself
 * succeeded) and says so in the task message; deleting the image cancels the work.
 */
public final class HashLocation extends FlowStep<Digests> {
    private static final Logger LOG = LoggerFactory.getLogger(HashLocation.class);

    private final ImageRepository images;
    private final ImportLock lock;
    private final TaskRepository tasks;
    private final StoreRegistry stores;
    private final LocationHasher hasher;
    private final String hashingAlgorithm;

    public HashLocation(ImageRepository images, TaskRepository tasks, StoreRegistry stores, LocationHasher hasher,
                 String hashingAlgorithm) {
        this.images = images;
        this.lock = new ImportLock(images);
        this.tasks = tasks;
        this.stores = stores;
        this.hasher = hasher;
        this.hashingAlgorithm = hashingAlgorithm;
    }

    /** @return the digests recorded, or null when none were (the task message says why) */
    @Override
    protected Digests execute(ImportState s) throws ImportFailure {
        LocationJob job = LocationJob.of(s.task);
        Image img = lock.image(s);
        if (img.osHashValue != null) {
            return null;
        }
        Digests d;
        try {
            d = hasher.hash(s.taskId(), img.id, VerifyLocationData.store(img, job.url(), stores), job.url(),
                    hashingAlgorithm, s.caller);
        } catch (ImportFailure e) {
            if (images.find(img.id).isEmpty()) {
                throw e;
            }
            LOG.warn("task {}: {}", s.taskId(), e.getMessage());
            tasks.updateMessage(s.taskId(), e.getMessage());
            return null;
        }
        Image now = lock.image(s);
        if (!ImageStatus.ACTIVE.equals(now.status) || now.osHashValue != null) {
            return d;
        }
        now.size = d.size();
        now.checksum = d.md5();
        now.osHashAlgo = d.hashAlgo();
        now.osHashValue = d.hash();
        try {
            lock.save(s, now, ImageStatus.ACTIVE, "changed status while its data was being read");
            return d;
        } catch (ImportFailure moved) {
            // the image is usable without hashes: say so, as when the read fails
            tasks.updateMessage(s.taskId(), "Hash of image " + now.id + " not recorded: the image changed status "
                    + "while its data was being read");
            return null;
        }
    }
}
