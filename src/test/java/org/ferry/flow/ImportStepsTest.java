package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Task;
import org.ferry.data.DataMover;
import org.ferry.data.StagedDigests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The import steps' execute and revert, called directly on a catalog and file stores (no Camel, no HTTP). */
class ImportStepsTest {
    private static final byte[] DATA = "the image data, staged".getBytes();

    @RegisterExtension
    final FlowKit kit = new FlowKit();



    /** A step that hands a fixed result to the steps after it, as an earlier step of the route would. */
    private static <R> void given(ImportState s, R result) throws Exception {
        s.run(new FlowStep<R>() {
            @Override
            protected R execute(ImportState state) {
                return result;
            }
        });
    }

    private VerifyStaging verifyStaging() {
        return new VerifyStaging(kit.stores.staging(), kit.images, kit.mover, "SHA-512", "sha512");
    }

    @Test
    void lockImageStartsTheTaskOnlyUnderItsLock() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.state(img, ImportMethod.WEB_DOWNLOAD, List.of("fast"), true, "api_image_import");
        kit.tasks.moveStatus(s.taskId(), Task.PROCESSING, Task.PENDING);
        LockImage step = new LockImage(kit.images, kit.tasks);
        ImportFailure f = assertThrows(ImportFailure.class, () -> step.execute(s));
        assertEquals("the import lock of image " + img.id + " is held by nobody, not by this task", f.getMessage());
        assertEquals(Task.PENDING, kit.tasks.find(s.taskId()).orElseThrow().status());

        assertTrue(kit.images.setPropertyIfAbsent(img.id, StoreLists.LOCK, s.taskId()));
        step.execute(s);
        assertEquals(Task.PROCESSING, kit.tasks.find(s.taskId()).orElseThrow().status());
    }

    @Test
    void verifyStagingReadsTheRecordedDigestsOfGlanceDirectData() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast");
        StagedData staged = kit.stage(img.id, DATA);
        StagedData verified = verifyStaging().execute(s);
        assertEquals(staged, verified);
    }

    @Test
    void verifyStagingHashesDataWithoutRecordedDigests() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast");
        StagedData staged = kit.stage(img.id, DATA);
        StagedDigests.delete(staged.path());
        Files.write(staged.path(), DATA);
        assertEquals(FlowKit.digests(DATA), verifyStaging().execute(s).digests());
    }

    @Test
    void verifyStagingRequiresStagedData() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast");
        ImportFailure f = assertThrows(ImportFailure.class, () -> verifyStaging().execute(s));
        assertEquals("image " + img.id + " has no staged data", f.getMessage());
    }

    @Test
    void verifyStagingHoldsADownloadToWhatTheRemoteImagePromised() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DOWNLOAD, "fast");
        given(s, new RemoteImage(DATA.length + 1, null, null, Map.of(), "raw", "bare"));
        given(s, kit.stage(img.id, DATA));
        ImportFailure f = assertThrows(ImportFailure.class, () -> verifyStaging().execute(s));
        assertEquals("downloaded " + DATA.length + " bytes, remote size is " + (DATA.length + 1), f.getMessage());

        ImportState other = kit.locked(kit.image(ImageStatus.IMPORTING), ImportMethod.GLANCE_DOWNLOAD, "fast");
        given(other, new RemoteImage(DATA.length, "0123", null, Map.of(), "raw", "bare"));
        given(other, kit.stage(other.imageId(), DATA));
        f = assertThrows(ImportFailure.class, () -> verifyStaging().execute(other));
        assertEquals("md5 of the downloaded data does not match the remote checksum", f.getMessage());
    }

    @Test
    void commitToStoresWritesEveryTargetAndItsRevertRemovesTheCopies() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        img.properties.put(StoreLists.IMPORTING, "cheap,fast");
        kit.images.save(img, null);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast", "cheap");
        given(s, kit.stage(img.id, DATA));
        CommitToStores step = kit.commitToStores(kit.stores);

        CommittedStores done = step.execute(s);
        assertEquals(List.of("cheap", "fast"), done.stores().stream().sorted().toList());
        assertEquals(2, done.locations().size());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(FlowKit.digests(DATA).md5(), now.checksum);
        assertEquals((long) DATA.length, now.size);
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertEquals(List.of("cheap", "fast"), now.storeIds());
        assertTrue(Files.exists(kit.fast.pathOf(img.id)));

        step.revert(s, done);
        assertEquals(List.of(), kit.reload(img.id).locations);
        assertFalse(Files.exists(kit.fast.pathOf(img.id)));
        assertFalse(Files.exists(kit.cheap.pathOf(img.id)));
    }

    @Test
    void commitToStoresUndoesItsCopiesWhenAStoreFailsAndAllMustSucceed() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, List.of("fast", "nowhere"), true);
        given(s, kit.stage(img.id, DATA));
        CommitToStores step = kit.commitToStores(kit.stores);
        ImportFailure f = assertThrows(ImportFailure.class, () -> step.execute(s));
        assertEquals("import to store nowhere: not a writable store", f.getMessage());
        Image now = kit.reload(img.id);
        assertEquals(List.of(), now.locations);
        assertEquals(ImageStatus.IMPORTING, now.status);
        assertFalse(Files.exists(kit.fast.pathOf(img.id)));
    }

    @Test
    void commitToStoresKeepsTheCopiesThatWorkedWhenNotAllMustSucceed() throws Exception {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, List.of("fast", "nowhere"), false);
        given(s, kit.stage(img.id, DATA));
        CommittedStores done = kit.commitToStores(kit.stores).execute(s);
        assertEquals(List.of("fast"), done.stores());
        assertEquals(List.of("nowhere"), done.failed());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals("nowhere", now.properties.get(StoreLists.FAILED));
    }

    @Test
    void deleteStagingRemovesTheDataAndItsDigests() throws Exception {
        Image img = kit.image(ImageStatus.ACTIVE);
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "fast");
        StagedData staged = kit.stage(img.id, DATA);
        new DeleteStaging(kit.stores.staging()).execute(s);
        assertFalse(Files.exists(staged.path()));
        assertFalse(Files.exists(StagedDigests.sidecar(staged.path())));
    }

    @Test
    void completeTaskSucceedsWithTheSizeMovedAndReleasesTheLock() throws Exception {
        Image img = kit.image(ImageStatus.ACTIVE);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        StagedData staged = kit.stage(img.id, DATA);
        given(s, new StagedData(staged.path(), new org.ferry.data.Digests(3L << 20, "m", "sha512", "h")));
        new CompleteTask(kit.tasks, kit.images, Duration.ofHours(1)).execute(s);
        Task t = kit.tasks.find(s.taskId()).orElseThrow();
        assertEquals(Task.SUCCESS, t.status());
        assertEquals("Copied 3 MiB", t.message());
        assertEquals("{\"image_id\": \"" + img.id + "\"}", t.result());
        assertNull(kit.reload(img.id).properties.get(StoreLists.LOCK));
    }

    @Test
    void verifyImageStateRequiresAnActiveImage() {
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        ImportFailure f = assertThrows(ImportFailure.class, () -> new VerifyImageState(kit.images).execute(s));
        assertEquals("none of the uploads finished: image " + img.id + " is importing", f.getMessage());
    }
}
