package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;

/** The image must be active once the stores are done. */
public final class VerifyImageState extends FlowStep<Void> {
    private final ImportLock lock;

    public VerifyImageState(ImageRepository images) {
        this.lock = new ImportLock(images);
    }

    @Override
    protected Void execute(ImportState s) throws ImportFailure {
        Image img = lock.image(s);
        if (!ImageStatus.ACTIVE.equals(img.status)) {
            throw new ImportFailure("none of the uploads finished: image " + s.imageId() + " is " + img.status);
        }
        return null;
    }
}
