package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;

/** The image must be active once the stores are done. */
public final class VerifyImageState extends FlowStep {
    private final ImageRepository images;

    public VerifyImageState(ImageRepository images) {
        this.images = images;
    }

    @Override
    protected void execute(ImportState s) throws ImportFailure {
        Image img = images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
        if (!ImageStatus.ACTIVE.equals(img.status)) {
            throw new ImportFailure("none of the uploads finished: image " + s.imageId() + " is " + img.status);
        }
    }
}
