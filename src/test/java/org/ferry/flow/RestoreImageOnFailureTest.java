package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first step of each import route: its revert leaves the image as a failed import of that method must. */
class RestoreImageOnFailureTest {
    @RegisterExtension
    final FlowKit kit = new FlowKit();



    private RestoreImageOnFailure step(RestoreImageOnFailure.Outcome outcome) {
        return new RestoreImageOnFailure(kit.images, kit.stores, outcome);
    }

    /** An image an import to fast and cheap has moved to importing, with some data recorded already. */
    private Image importing() {
        Image img = kit.image(ImageStatus.IMPORTING);
        img.size = 5L;
        img.checksum = "abc";
        img.properties.put(StoreLists.IMPORTING, "cheap,fast");
        img.properties.put(StoreLists.FAILED, "");
        kit.images.save(img, null);
        return img;
    }

    @Test
    void aFailedDownloadIsQueuedAgainWithoutData() throws Exception {
        Image img = importing();
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast", "cheap");
        RestoreImageOnFailure step = step(RestoreImageOnFailure.Outcome.QUEUED);
        assertNull(step.execute(s));
        assertEquals(ImageStatus.IMPORTING, kit.reload(img.id).status, "execute changes nothing");
        step.revert(s, null);
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertNull(now.size);
        assertNull(now.checksum);
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertEquals("cheap,fast", now.properties.get(StoreLists.FAILED));
    }

    @Test
    void aFailedGlanceDirectGoesBackToUploadingWhileItsDataIsStaged() throws Exception {
        Image img = importing();
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast", "cheap");
        kit.stage(img.id, new byte[] {1, 2, 3});
        step(RestoreImageOnFailure.Outcome.UPLOADING).revert(s, null);
        assertEquals(ImageStatus.UPLOADING, kit.reload(img.id).status);

        Image unstaged = importing();
        ImportState t = kit.locked(unstaged, ImportMethod.GLANCE_DIRECT, "fast", "cheap");
        step(RestoreImageOnFailure.Outcome.UPLOADING).revert(t, null);
        assertEquals(ImageStatus.QUEUED, kit.reload(unstaged.id).status);
    }

    @Test
    void aFailedCopyLeavesTheImageActiveAndListsTheStoresWithoutTheData() {
        Image img = kit.image(ImageStatus.ACTIVE);
        kit.images.addLocation(img.id, "file:///somewhere", Map.of("store", "cheap"), "cheap", Location.ACTIVE);
        img = kit.reload(img.id);
        img.properties.put(StoreLists.IMPORTING, "cheap,fast");
        kit.images.save(img, null);
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "fast", "cheap");
        step(RestoreImageOnFailure.Outcome.ACTIVE).revert(s, null);
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertEquals("fast", now.properties.get(StoreLists.FAILED), "cheap holds the data");
    }

    @Test
    void aFailedLegacyTaskDeletesItsImageAndData() throws Exception {
        Image img = importing();
        Path file = kit.fast.pathOf(img.id);
        Files.write(file, new byte[] {1});
        kit.images.addLocation(img.id, kit.fast.urlOf(img.id), Map.of("store", "fast"), "fast", Location.ACTIVE);
        ImportState s = kit.state(img, ImportMethod.WEB_DOWNLOAD, List.of("fast"), true, ImportFlow.LEGACY_IMPORT);
        assertTrue(kit.images.setPropertyIfAbsent(img.id, StoreLists.LOCK, s.taskId()));
        step(RestoreImageOnFailure.Outcome.DELETED).revert(s, null);
        assertTrue(kit.images.find(img.id).isEmpty());
        assertFalse(Files.exists(file));
    }

    @Test
    void nothingIsRestoredOnceAnotherTaskHoldsTheLock() {
        Image img = importing();
        ImportState s = kit.state(img, ImportMethod.WEB_DOWNLOAD, List.of("fast", "cheap"), true, "api_image_import");
        assertTrue(kit.images.setPropertyIfAbsent(img.id, StoreLists.LOCK, "the-new-owner"));
        step(RestoreImageOnFailure.Outcome.QUEUED).revert(s, null);
        step(RestoreImageOnFailure.Outcome.DELETED).revert(s, null);
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.IMPORTING, now.status);
        assertEquals(5L, now.size);
        assertEquals("cheap,fast", now.properties.get(StoreLists.IMPORTING));
    }

    @Test
    void aDeadTaskIsRestoredWithoutItsLock() {
        Image img = importing();
        step(RestoreImageOnFailure.Outcome.QUEUED).restoreDeadTask(img.id, List.of("fast", "cheap"), true);
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertEquals("cheap,fast", now.properties.get(StoreLists.FAILED));
    }
}
