package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * Location import (glance {@code _SetImageToActiveTask}, and {@code _SetHashValues} when {@code do_secure_hash} is
 * off): the image goes active. Without secure hashing the validation data, if any, becomes the image's hash as given.
 */
public final class ActivateImage extends FlowStep<Void> {
    private final ImportLock lock;
    private final boolean secureHash;

    public ActivateImage(ImageRepository images, boolean secureHash) {
        this.lock = new ImportLock(images);
        this.secureHash = secureHash;
    }

    @Override
    protected Void execute(ImportState s) throws ImportFailure {
        LocationJob job = LocationJob.of(s.task);
        Image img = lock.image(s);
        if (ImageStatus.ACTIVE.equals(img.status)) {
            return null;
        }
        ImageStatus from = img.status;
        if (!ImageStatus.QUEUED.equals(from) && !ImageStatus.IMPORTING.equals(from)) {
            throw new ImportFailure("image " + img.id + " is " + from + " and cannot become active");
        }
        requireFormats(img);
        if (!secureHash && job.validated()) {
            img.osHashAlgo = job.hashAlgo();
            img.osHashValue = job.hashValue();
        }
        img.status = ImageStatus.ACTIVE;
        lock.save(s, img, from, "changed while it was being activated");
        return null;
    }

    static void requireFormats(Image img) throws ImportFailure {
        List<String> missing = new ArrayList<>();
        if (img.diskFormat == null || img.diskFormat.isEmpty()) {
            missing.add("disk_format");
        }
        if (img.containerFormat == null || img.containerFormat.isEmpty()) {
            missing.add("container_format");
        }
        if (!missing.isEmpty()) {
            throw new ImportFailure((missing.size() == 1 ? "Property " : "Properties ") + String.join(", ", missing)
                    + " must be set prior to saving data.");
        }
    }
}
