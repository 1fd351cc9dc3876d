package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Location import's {@link ActivateImage}, called directly. */
class LocationStepsTest {
    @TempDir
    Path dir;
    FlowKit kit;

    @BeforeEach
    void open() {
        kit = new FlowKit(dir);
    }

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    void activateImageMakesAQueuedImageActive() throws Exception {
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = kit.locked(img, ImportMethod.LOCATION_IMPORT);
        assertNull(new ActivateImage(kit.images, true).execute(s));
        assertEquals(ImageStatus.ACTIVE, kit.reload(img.id).status);
        // again (a resumed run): nothing to do
        new ActivateImage(kit.images, true).execute(s);
        assertEquals(ImageStatus.ACTIVE, kit.reload(img.id).status);
    }

    @Test
    void activateImageRequiresBothFormats() {
        Image img = kit.image(ImageStatus.QUEUED);
        img.diskFormat = null;
        kit.images.save(img, null);
        ImportState s = kit.locked(img, ImportMethod.LOCATION_IMPORT);
        ImportFailure f = assertThrows(ImportFailure.class, () -> new ActivateImage(kit.images, true).execute(s));
        assertEquals("Property disk_format must be set prior to saving data.", f.getMessage());
        assertEquals(ImageStatus.QUEUED, kit.reload(img.id).status);
    }

    @Test
    void activateImageRefusesAnImageInAnotherStatus() {
        Image img = kit.image(ImageStatus.DEACTIVATED);
        ImportState s = kit.locked(img, ImportMethod.LOCATION_IMPORT);
        ImportFailure f = assertThrows(ImportFailure.class, () -> new ActivateImage(kit.images, true).execute(s));
        assertEquals("image " + img.id + " is deactivated and cannot become active", f.getMessage());
    }

    @Test
    void activateImageNeedsTheLock() {
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = kit.state(img, ImportMethod.LOCATION_IMPORT, java.util.List.of(), true, LocationJob.TASK_TYPE);
        ImportFailure f = assertThrows(ImportFailure.class, () -> new ActivateImage(kit.images, true).execute(s));
        assertEquals("the import lock of image " + img.id + " is held by nobody, not by this task", f.getMessage());
        assertEquals(ImageStatus.QUEUED, kit.reload(img.id).status);
    }
}
