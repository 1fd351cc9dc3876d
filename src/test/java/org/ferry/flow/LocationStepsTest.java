package org.ferry.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.catalog.Task;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Location import's steps ({@link ActivateImage}, {@link AddLocation}, {@link VerifyLocationData},
 * {@link HashLocation}), execute and revert called directly on a catalog and file stores.
 */
class LocationStepsTest {
    @RegisterExtension
    final FlowKit kit = new FlowKit();



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

    // AddLocation, VerifyLocationData, HashLocation: a location_import task naming a file in the fast store

    private static final byte[] DATA = "data some other tool wrote into the fast store".getBytes();

    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void stopPools() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    /** A file in the fast store's directory holding {@code data}; its file:// URL. */
    private String fileInFast(byte[] data) throws Exception {
        String name = UUID.randomUUID().toString();
        Files.write(kit.fast.pathOf(name), data);
        return kit.fast.urlOf(name);
    }

    /** The state of a location_import task for {@code url} that holds the image's lock. */
    private ImportState locationTask(Image img, String url, String hashAlgo, String hashValue, boolean recovering) {
        LocationJob job = new LocationJob(img.id, url, hashAlgo, hashValue);
        ObjectNode input = job.toInput();
        var now = ImageRepository.now();
        Task task = new Task(UUID.randomUUID().toString(), LocationJob.TASK_TYPE, Task.PROCESSING, "project",
                img.id, "req-unit", "user", input.toString(), null, "", null, now, now);
        kit.tasks.create(task);
        ImportState s = new ImportState(task, ImportRequest.of((ObjectNode) input.get("import_req")), List.of(),
                true, null, recovering);
        if (!kit.images.setPropertyIfAbsent(img.id, StoreLists.LOCK, s.taskId())) {
            throw new IllegalStateException("image " + img.id + " is locked already");
        }
        return s;
    }

    private AddLocation addLocation(int quota) {
        return new AddLocation(kit.images, kit.stores, quota);
    }

    private LocationHasher hasher() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        pools.add(pool);
        return new LocationHasher(new DataMover(pool, DataMover.DEFAULT_BUFFER_SIZE, 4),
                kit.images, kit.tasks, 1);
    }

    private VerifyLocationData verify() {
        return new VerifyLocationData(kit.images, kit.stores, hasher());
    }

    private HashLocation hash() {
        return new HashLocation(kit.images, kit.tasks, kit.stores, hasher(), "sha512");
    }

    /** An image in {@code status} with {@code url} as its location in fast (as {@link AddLocation} adds it). */
    private Image withLocation(ImageStatus status, String url) {
        Image img = kit.image(status);
        kit.images.addLocation(img.id, url, Map.of("store", "fast"), "fast", Location.ACTIVE);
        return kit.reload(img.id);
    }

    @Test
    void addLocationRecordsTheLocationAndTheSizeOfItsData() throws Exception {
        String url = fileInFast(DATA);
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = locationTask(img, url, null, null, false);
        Location loc = addLocation(-1).execute(s);
        assertEquals(url, loc.url());
        assertEquals("fast", loc.storeId());
        assertEquals(Map.of("store", "fast"), loc.metadata());
        Image now = kit.reload(img.id);
        assertEquals(List.of(loc), now.locations);
        assertEquals((long) DATA.length, now.size);
        assertEquals(ImageStatus.QUEUED, now.status);
    }

    @Test
    void addLocationRefusesAnImageThatIsNotQueued() throws Exception {
        String url = fileInFast(DATA);
        Image img = kit.image(ImageStatus.IMPORTING);
        ImportState s = locationTask(img, url, null, null, false);
        ImportFailure f = assertThrows(ImportFailure.class, () -> addLocation(-1).execute(s));
        assertEquals("It's not allowed to add locations if image status is importing.", f.getMessage());
        assertEquals(List.of(), kit.reload(img.id).locations);
    }

    @Test
    void addLocationRefusesAUrlNoStoreServesOrWithoutData() throws Exception {
        Image img = kit.image(ImageStatus.QUEUED);
        String outside = "file://" + kit.dir.resolve("elsewhere.img");
        ImportFailure f = assertThrows(ImportFailure.class,
                () -> addLocation(-1).execute(locationTask(img, outside, null, null, false)));
        assertEquals("Invalid location: " + outside + " (not inside the directory of a file store)", f.getMessage());

        Image other = kit.image(ImageStatus.QUEUED);
        String empty = fileInFast(new byte[0]);
        f = assertThrows(ImportFailure.class,
                () -> addLocation(-1).execute(locationTask(other, empty, null, null, false)));
        assertEquals("Invalid location: " + empty + " (no data there)", f.getMessage());
        assertEquals(List.of(), kit.reload(other.id).locations);
    }

    @Test
    void addLocationKeepsToTheLocationQuota() throws Exception {
        Image img = withLocation(ImageStatus.QUEUED, fileInFast(DATA));
        ImportState s = locationTask(img, fileInFast(DATA), null, null, false);
        ImportFailure f = assertThrows(ImportFailure.class, () -> addLocation(1).execute(s));
        assertEquals("The limit has been exceeded on the number of allowed image locations. Attempted: 2, Maximum: 1",
                f.getMessage());
        assertEquals(1, kit.reload(img.id).locations.size());
        addLocation(2).execute(s);
        assertEquals(2, kit.reload(img.id).locations.size());
    }

    @Test
    void addLocationRefusesALocationTheImageHasAlready() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.QUEUED, url);
        ImportFailure f = assertThrows(ImportFailure.class,
                () -> addLocation(-1).execute(locationTask(img, url, null, null, false)));
        assertEquals("The location " + url + " already exists", f.getMessage());
        assertEquals(1, kit.reload(img.id).locations.size());
    }

    @Test
    void aResumedAddLocationKeepsTheLocationItAddedBefore() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.IMPORTING, url);
        Location existing = img.locations.get(0);
        assertEquals(existing, addLocation(-1).execute(locationTask(img, url, null, null, true)));
        assertEquals(List.of(existing), kit.reload(img.id).locations);
    }

    @Test
    void addLocationRevertRemovesTheLocationAndQueuesTheImageWithoutData() throws Exception {
        String url = fileInFast(DATA);
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = locationTask(img, url, null, null, false);
        AddLocation step = addLocation(-1);
        Location loc = step.execute(s);
        // what VerifyLocationData did before failing
        Image importing = kit.reload(img.id);
        importing.status = ImageStatus.IMPORTING;
        importing.checksum = "abc";
        kit.images.save(importing, null);

        step.revert(s, loc);
        Image now = kit.reload(img.id);
        assertEquals(List.of(), now.locations);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertNull(now.size);
        assertNull(now.checksum);
        assertTrue(Files.exists(Path.of(URI.create(url))),
                "the data stays: Ferry did not write it");
    }

    @Test
    void addLocationRevertLeavesAnActiveImageAndAnotherTasksImageAlone() throws Exception {
        String url = fileInFast(DATA);
        Image img = kit.image(ImageStatus.QUEUED);
        ImportState s = locationTask(img, url, null, null, false);
        AddLocation step = addLocation(-1);
        Location loc = step.execute(s);
        kit.moveStatus(img.id, ImageStatus.ACTIVE);
        step.revert(s, loc);
        assertEquals(List.of(loc), kit.reload(img.id).locations);
        assertEquals(ImageStatus.ACTIVE, kit.reload(img.id).status);

        Image other = kit.image(ImageStatus.QUEUED);
        ImportState t = locationTask(other, fileInFast(DATA), null, null, false);
        Location otherLoc = step.execute(t);
        assertTrue(kit.images.deletePropertyIfValue(other.id, StoreLists.LOCK, t.taskId()));
        assertTrue(kit.images.setPropertyIfAbsent(other.id, StoreLists.LOCK, "the-new-owner"));
        step.revert(t, otherLoc);
        assertEquals(List.of(otherLoc), kit.reload(other.id).locations);
        assertEquals((long) DATA.length, kit.reload(other.id).size);
    }

    @Test
    void verifyLocationDataRecordsTheDigestsOfMatchingData() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.QUEUED, url);
        Digests expected = FlowKit.digests(DATA);
        // the given digest is compared without regard to case
        ImportState s = locationTask(img, url, "sha512", expected.hash().toUpperCase(Locale.ROOT), false);
        assertEquals(expected, verify().execute(s));
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.IMPORTING, now.status);
        assertEquals((long) DATA.length, now.size);
        assertEquals(expected.md5(), now.checksum);
        assertEquals("sha512", now.osHashAlgo);
        assertEquals(expected.hash(), now.osHashValue);
    }

    @Test
    void verifyLocationDataRefusesDataThatDoesNotMatch() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.QUEUED, url);
        ImportState s = locationTask(img, url, "sha512", "0123abcd", false);
        ImportFailure f = assertThrows(ImportFailure.class, () -> verify().execute(s));
        assertEquals("os_hash_value: (0123abcd) not matched with actual os_hash_value: ("
                + FlowKit.digests(DATA).hash() + ")", f.getMessage());
        assertEquals(ImageStatus.IMPORTING, kit.reload(img.id).status, "AddLocation's revert queues it again");
    }

    @Test
    void verifyLocationDataNeedsTheFormatsAndAnImageStillImporting() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.QUEUED, url);
        img.diskFormat = null;
        kit.images.save(img, null);
        ImportState s = locationTask(img, url, "sha512", FlowKit.digests(DATA).hash(), false);
        ImportFailure f = assertThrows(ImportFailure.class, () -> verify().execute(s));
        assertEquals("Property disk_format must be set prior to saving data.", f.getMessage());
        assertEquals(ImageStatus.QUEUED, kit.reload(img.id).status);

        Image active = withLocation(ImageStatus.ACTIVE, url);
        ImportState t = locationTask(active, url, "sha512", FlowKit.digests(DATA).hash(), false);
        f = assertThrows(ImportFailure.class, () -> verify().execute(t));
        assertEquals("image " + active.id + " is active, not importing", f.getMessage());
    }

    @Test
    void verifyLocationDataNeedsAStoreServingTheUrl() {
        String url = "file://" + kit.dir.resolve("gone.img");
        Image img = withLocation(ImageStatus.IMPORTING, url);
        ImportState s = locationTask(img, url, "sha512", "00", false);
        ImportFailure f = assertThrows(ImportFailure.class, () -> verify().execute(s));
        assertEquals("no configured store serves " + url + " any more", f.getMessage());
    }

    @Test
    void hashLocationRecordsTheDigestsOfAnActiveImage() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.ACTIVE, url);
        ImportState s = locationTask(img, url, null, null, false);
        Digests expected = FlowKit.digests(DATA);
        assertEquals(expected, hash().execute(s));
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals((long) DATA.length, now.size);
        assertEquals(expected.md5(), now.checksum);
        assertEquals("sha512", now.osHashAlgo);
        assertEquals(expected.hash(), now.osHashValue);
    }

    @Test
    void hashLocationLeavesAHashedImageAlone() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.ACTIVE, url);
        img.osHashAlgo = "sha512";
        img.osHashValue = "recorded-before";
        kit.images.save(img, null);
        assertNull(hash().execute(locationTask(img, url, null, null, false)));
        assertEquals("recorded-before", kit.reload(img.id).osHashValue);
    }

    @Test
    void hashLocationRecordsNothingForAnImageThatIsNotActive() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.DEACTIVATED, url);
        assertEquals(FlowKit.digests(DATA), hash().execute(locationTask(img, url, null, null, false)));
        assertNull(kit.reload(img.id).osHashValue);
    }

    @Test
    void aHashLocationReadFailureLeavesTheImageActiveAndSaysSo() throws Exception {
        String url = fileInFast(DATA);
        Image img = withLocation(ImageStatus.ACTIVE, url);
        Files.delete(Path.of(URI.create(url)));
        ImportState s = locationTask(img, url, null, null, false);
        assertNull(hash().execute(s));
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertNull(now.osHashValue);
        String message = kit.tasks.find(s.taskId()).orElseThrow().message();
        assertTrue(message.startsWith("Hash calculation failed for image " + img.id + " data: "), message);
    }
}
