package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.data.DataMover;
import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** copy-image's {@link CopyToStaging}, execute and revert called directly on a catalog and file stores. */
class CopyToStagingTest {
    private static final byte[] DATA = "the data of the default store's copy".getBytes();
    /** As long as {@link #DATA}, so only the digests tell the two apart. */
    private static final byte[] OTHER = "THE DATA OF THE DEFAULT STORE'S COPY".getBytes();

    @RegisterExtension
    final FlowKit kit = new FlowKit();



    private CopyToStaging step() {
        return new CopyToStaging(kit.stores, kit.images, kit.mover, kit.tasks, "SHA-512", "sha512");
    }

    /** An active image whose size and checksum are those of {@code data}. */
    private Image active(byte[] data) {
        Image img = kit.image(ImageStatus.ACTIVE);
        img.size = (long) data.length;
        img.checksum = FlowKit.digests(data).md5();
        kit.images.save(img, null);
        return kit.reload(img.id);
    }

    /** Writes {@code data} as the image's copy in {@code store} and records the location. */
    private void copyIn(FileStore store, Image img, byte[] data) throws Exception {
        Files.write(store.pathOf(img.id), data);
        kit.images.addLocation(img.id, store.urlOf(img.id), Map.of("store", store.id()), store.id(), Location.ACTIVE);
    }

    @Test
    void theDefaultStoresCopyIsStagedWithItsDigests() throws Exception {
        Image img = active(DATA);
        copyIn(kit.cheap, img, OTHER);
        copyIn(kit.fast, img, DATA);
        ImportState s = kit.locked(kit.reload(img.id), ImportMethod.COPY_IMAGE, "cheap");

        StagedData staged = step().execute(s);
        assertEquals(kit.stores.staging().pathOf(img.id), staged.path());
        assertEquals(FlowKit.digests(DATA), staged.digests(), "fast, the default store, is read first");
        assertArrayEquals(DATA, Files.readAllBytes(staged.path()));
        assertEquals(FlowKit.digests(DATA), StagedDigests.read(staged.path()).orElseThrow(), "sidecar written");
    }

    @Test
    void anotherCopyIsReadWhenTheDefaultStoresCannotBe() throws Exception {
        Image img = active(OTHER);
        copyIn(kit.fast, img, OTHER);
        Files.delete(kit.fast.pathOf(img.id));
        copyIn(kit.cheap, img, OTHER);
        ImportState s = kit.locked(kit.reload(img.id), ImportMethod.COPY_IMAGE, "fast");
        assertEquals(FlowKit.digests(OTHER), step().execute(s).digests());
    }

    @Test
    void aCompleteStagedFileFromAnEarlierAttemptIsReused() throws Exception {
        Image img = active(DATA);
        StagedData earlier = kit.stage(img.id, DATA);
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "cheap");
        // no location at all: only the staged file can give this result
        assertEquals(earlier, step().execute(s));
    }

    @Test
    void aStagedFileOfOtherDataIsNotReused() throws Exception {
        Image img = active(DATA);
        kit.stage(img.id, OTHER);
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "cheap");
        ImportFailure f = assertThrows(ImportFailure.class, () -> step().execute(s));
        assertEquals("no copy of image " + img.id + " could be read", f.getMessage());
        assertFalse(Files.exists(kit.stores.staging().pathOf(img.id)), "the stale staged file is removed");
    }

    @Test
    void itFailsWhenNoCopyCanBeRead() throws Exception {
        Image img = active(DATA);
        copyIn(kit.fast, img, DATA);
        Files.delete(kit.fast.pathOf(img.id));
        ImportState s = kit.locked(kit.reload(img.id), ImportMethod.COPY_IMAGE, "cheap");
        ImportFailure f = assertThrows(ImportFailure.class, () -> step().execute(s));
        assertTrue(f.getMessage().startsWith("no copy of image " + img.id + " could be read: [store fast: "),
                f.getMessage());
    }

    @Test
    void itNeedsTheLock() {
        Image img = active(DATA);
        ImportState s = kit.state(img, ImportMethod.COPY_IMAGE, List.of("cheap"), true, "api_image_import");
        ImportFailure f = assertThrows(ImportFailure.class, () -> step().execute(s));
        assertEquals("the import lock of image " + img.id + " is held by nobody, not by this task", f.getMessage());
    }

    @Test
    void revertRemovesTheStagedCopyAndPartials() throws Exception {
        Image img = active(DATA);
        copyIn(kit.fast, img, DATA);
        ImportState s = kit.locked(kit.reload(img.id), ImportMethod.COPY_IMAGE, "cheap");
        CopyToStaging step = step();
        StagedData staged = step.execute(s);
        Path partial = staged.path().resolveSibling("." + img.id + ".left-over.part");
        Files.write(partial, new byte[] {1});

        step.revert(s, staged);
        assertFalse(Files.exists(staged.path()));
        assertFalse(Files.exists(StagedDigests.sidecar(staged.path())));
        assertFalse(Files.exists(partial));
        assertTrue(Files.exists(kit.fast.pathOf(img.id)), "the source copy stays");

        // after a failed execute (no result) the same
        kit.stage(img.id, DATA);
        Files.write(partial, new byte[] {1});
        step.revert(s, null);
        assertFalse(Files.exists(staged.path()));
        assertFalse(Files.exists(partial));
    }
}
