package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ImportLock}: every change of a running import requires the image, its lock and the expected status. */
class ImportLockUpdateTest {
    @RegisterExtension
    final FlowKit kit = new FlowKit();
    ImportLock lock;

    @BeforeEach
    void open() {
        lock = new ImportLock(kit.images);
    }


    @Test
    void aChangeUnderTheLockIsSaved() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        lock.update(s, ImageStatus.IMPORTING, "is no longer importing", i -> {
            i.status = ImageStatus.ACTIVE;
            i.size = 42L;
        });
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(42L, now.size);
        assertEquals(s.taskId(), now.properties.get(StoreLists.LOCK), "the lock is not the change's to drop");
    }

    @Test
    void aDeletedImageFailsTheChange() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        assertTrue(kit.images.softDelete(img.id));
        ImportFailure f = assertThrows(ImportFailure.class,
                () -> lock.update(s, null, "changed", i -> i.size = 1L));
        assertEquals("image " + img.id + " was deleted", f.getMessage());
        assertTrue(lock.whileLocked(s).isEmpty());
    }

    @Test
    void aLostLockFailsTheChangeAndLeavesTheImageAlone() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        // another request took the lock over
        assertTrue(kit.images.deletePropertyIfValue(img.id, StoreLists.LOCK, s.taskId()));
        assertTrue(kit.images.setPropertyIfAbsent(img.id, StoreLists.LOCK, "other-task"));
        ImportFailure f = assertThrows(ImportFailure.class,
                () -> lock.update(s, ImageStatus.IMPORTING, "is no longer importing", i -> i.size = 1L));
        assertEquals("the import lock of image " + img.id + " is held by task other-task, not by this task",
                f.getMessage());
        assertNull(kit.reload(img.id).size);
        assertTrue(lock.whileLocked(s).isEmpty(), "a revert must not undo the new owner's work");

        assertTrue(kit.images.deletePropertyIfValue(img.id, StoreLists.LOCK, "other-task"));
        f = assertThrows(ImportFailure.class, () -> lock.image(s));
        assertEquals("the import lock of image " + img.id + " is held by nobody, not by this task", f.getMessage());
    }

    @Test
    void aStatusOtherThanTheExpectedOneFailsTheChange() {
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        ImportFailure f = assertThrows(ImportFailure.class,
                () -> lock.update(s, ImageStatus.IMPORTING, "is no longer importing", i -> i.size = 1L));
        assertEquals("image " + img.id + " is no longer importing", f.getMessage());
        assertNull(kit.reload(img.id).size);
    }

    @Test
    void aStatusThatMovesWhileTheChangeIsMadeFailsTheSave() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        ImportFailure f = assertThrows(ImportFailure.class, () -> lock.update(s, null, "changed during the import",
                i -> {
                    kit.moveStatus(img.id, ImageStatus.QUEUED);
                    i.size = 7L;
                }));
        assertEquals("image " + img.id + " changed during the import", f.getMessage());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertNull(now.size);
    }

    @Test
    void aChangeMayRefuse() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        ImportFailure f = assertThrows(ImportFailure.class, () -> lock.update(s, null, "changed", i -> {
            i.size = 3L;
            throw new ImportFailure("no");
        }));
        assertEquals("no", f.getMessage());
        assertNull(kit.reload(img.id).size);
    }
}
