package org.ferry.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.OkHttpClient;
import com.github.tomakehurst.wiremock.http.Fault;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.data.Digests;
import org.ferry.remote.ImportFiltering;
import org.ferry.remote.SafeHttp;
import org.ferry.remote.UriFilter;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.RecordingStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every import method into a store that does not adopt staged files (a {@link RecordingStore}, as rbd is): the steps of
 * each route run in its order on one flow state, and a failure reverts the started steps as the routes' error handler
 * does. The data must reach the store exactly once, from the one pass that reads and hashes it, never from the staged
 * file read back; nothing is committed before verification, and every failure leaves nothing in the store.
 */
class OnePassTest {
    private static final String REMOTE_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String REGION = "RegionTwo";
    private static final byte[] DATA = "data of an image that goes to the recording store, read once".getBytes();
    private static final long CAP = 1L << 20;

    @RegisterExtension
    static final GlanceStub glance = GlanceStub.started();

    @RegisterExtension
    final FlowKit kit = new FlowKit();

    RecordingStore rbd;
    StoreRegistry stores;
    SafeHttp http;

    @BeforeEach
    void open() {
        glance.resetAll();
        http = new SafeHttp(new OkHttpClient(), new UriFilter(new ImportFiltering(List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of())));
        rbd = new RecordingStore("rbd", kit.dir.resolve("unused"));
        stores = new StoreRegistry(List.<Store>of(kit.fast, rbd), kit.fast, kit.stores.staging(), true);
    }

    // the steps, on the registry with the recording store

    private RestoreImageOnFailure restore(RestoreImageOnFailure.Outcome outcome) {
        return new RestoreImageOnFailure(kit.images, stores, outcome);
    }

    private DownloadFromUri fromUri() {
        return new DownloadFromUri(stores, http, kit.mover, kit.tasks, "SHA-512", "sha512", CAP);
    }

    private DownloadFromGlance fromGlance() {
        return new DownloadFromGlance(stores, http, kit.mover, kit.tasks, "SHA-512", "sha512", CAP);
    }

    private FetchRemoteMetadata fetch() {
        return new FetchRemoteMetadata(kit.images, http, List.of(), "sha512", CAP);
    }

    private CopyToStaging copy() {
        return new CopyToStaging(stores, kit.images, kit.mover, kit.tasks, "SHA-512", "sha512");
    }

    private VerifyStaging verify() {
        return new VerifyStaging(stores.staging(), kit.images, kit.mover, "SHA-512", "sha512");
    }

    private CommitToStores commit() {
        return kit.commitToStores(stores);
    }

    /** A later step of the route that fails (e.g. the image was deleted meanwhile). */
    private static FlowStep<Void> failing() {
        return new FlowStep<>() {
            @Override
            protected Void execute(ImportState state) throws ImportFailure {
                throw new ImportFailure("a later step failed");
            }
        };
    }

    /** Runs the steps in order; on a failure reverts the started ones as importFlow.revert does, and returns it. */
    private static Exception run(ImportState s, FlowStep<?>... steps) {
        try {
            for (FlowStep<?> step : steps) {
                s.run(step);
            }
            return null;
        } catch (Exception e) {
            s.revertStartedSteps();
            return e;
        }
    }

    /** The steps of a route file in its order, each bean made as Ferry binds it, on the registry under test. */
    private FlowStep<?>[] route(String method) throws Exception {
        Map<String, FlowStep<?>> beans = new java.util.HashMap<>();
        for (RestoreImageOnFailure.Outcome o : RestoreImageOnFailure.Outcome.values()) {
            beans.put(o.stepName(), restore(o));
        }
        beans.put("lockImage", new LockImage(kit.images, kit.tasks));
        beans.put("requireTargetStores", new RequireTargetStores());
        beans.put("fetchRemoteMetadata", fetch());
        beans.put("downloadFromGlance", fromGlance());
        beans.put("downloadFromUri", fromUri());
        beans.put("copyToStaging", copy());
        beans.put("verifyStaging", verify());
        beans.put("commitToStores", commit());
        beans.put("verifyImageState", new VerifyImageState(kit.images));
        beans.put("deleteStaging", new DeleteStaging(stores.staging()));
        beans.put("completeTask", new CompleteTask(kit.tasks, kit.images, java.time.Duration.ofHours(1)));
        String yaml = Files.readString(Path.of("routes", "import-" + method + ".camel.yaml"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("- bean: \\{ ref: (\\w+), method: execute \\}").matcher(yaml);
        List<FlowStep<?>> steps = new java.util.ArrayList<>();
        while (m.find()) {
            FlowStep<?> step = beans.get(m.group(1));
            assertNotNull(step, "route " + method + " has a step this test does not know: " + m.group(1));
            steps.add(step);
        }
        assertTrue(steps.size() > 5, "route " + method + " read");
        return steps.toArray(FlowStep[]::new);
    }

    /** The route ran to the end: the data is in the store once, committed, the image active there, no staging left. */
    private void assertCommittedOnce(Image img, String taskId) throws Exception {
        RecordingStore.Write w = rbd.onlyWrite();
        assertTrue(w.committed);
        assertArrayEquals(DATA, rbd.visible.get(img.id));
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertTrue(now.storeIds().contains("rbd"), now.storeIds().toString());
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertEquals("", now.properties.get(StoreLists.FAILED));
        assertFalse(Files.exists(staged(img.id)));
        assertEquals(org.ferry.catalog.Task.SUCCESS, kit.tasks.find(taskId).orElseThrow().status());
    }

    // each route file, step by step

    @Test
    void theWebDownloadRouteWritesTheStoreOnce() throws Exception {
        Image img = importing(List.of("rbd"));
        ImportState s = webDownload(img, List.of("rbd"), true);
        assertNull(run(s, route("web-download")));
        assertCommittedOnce(img, s.taskId());
    }

    @Test
    void theGlanceDownloadRouteWritesTheStoreOnce() throws Exception {
        glance.image(remote(FlowKit.digests(DATA).hash()), DATA);
        Image img = importing(List.of("rbd"));
        ImportState s = glanceDownload(img, List.of("rbd"));
        assertNull(run(s, route("glance-download")));
        assertCommittedOnce(img, s.taskId());
    }

    @Test
    void theGlanceDirectRouteWritesTheStoreOnce() throws Exception {
        Image img = importing(List.of("rbd"));
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "rbd");
        kit.stage(img.id, DATA);
        assertNull(run(s, route("glance-direct")));
        assertCommittedOnce(img, s.taskId());
    }

    @Test
    void theCopyImageRouteWritesTheStoreOnce() throws Exception {
        Image img = activeInFast(FlowKit.digests(DATA));
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "rbd");
        assertNull(run(s, route("copy-image")));
        assertCommittedOnce(img, s.taskId());
        assertFalse(rbd.onlyWrite().inside);
    }

    @Test
    void theGlanceDownloadRouteWithAHashMismatchLeavesNothingInTheStore() throws Exception {
        glance.image(remote("00" + FlowKit.digests(DATA).hash().substring(2)), DATA);
        Image img = importing(List.of("rbd"));
        ImportState s = glanceDownload(img, List.of("rbd"));
        Exception e = run(s, route("glance-download"));
        assertEquals("sha512 of the downloaded data does not match the remote os_hash_value", e.getMessage());
        assertTrue(rbd.onlyWrite().aborted);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertEquals(List.of(), now.locations);
        assertEquals("rbd", now.properties.get(StoreLists.FAILED));
    }

    // the flows' states

    /** An importing image with the bookkeeping of an import to {@code targets}. */
    private Image importing(List<String> targets) {
        Image img = kit.image(ImageStatus.IMPORTING);
        img.properties.put(StoreLists.IMPORTING, String.join(",", targets.stream().sorted().toList()));
        img.properties.put(StoreLists.FAILED, "");
        kit.images.save(img, null);
        return kit.reload(img.id);
    }

    private ImportState webDownload(Image img, List<String> targets, boolean allMustSucceed) {
        ImportState locked = kit.locked(img, ImportMethod.WEB_DOWNLOAD, targets, allMustSucceed);
        ObjectNode req = FlowKit.JSON.createObjectNode();
        req.putObject("method").put("name", ImportMethod.WEB_DOWNLOAD.wireName())
                .put("uri", glance.baseUrl() + "/images/one.img");
        req.put("all_stores_must_succeed", allMustSucceed);
        glance.stubFor(get(urlPathEqualTo("/images/one.img")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(DATA)));
        return new ImportState(locked.task, ImportRequest.of(req), locked.targets, true, null, false);
    }

    private ImportState glanceDownload(Image img, List<String> targets) {
        ImportState locked = kit.locked(img, ImportMethod.GLANCE_DOWNLOAD, targets, true);
        ObjectNode req = FlowKit.JSON.createObjectNode();
        req.putObject("method").put("name", ImportMethod.GLANCE_DOWNLOAD.wireName())
                .put("glance_image_id", REMOTE_ID).put("glance_region", REGION);
        RequestContext caller = new RequestContext("req-unit", "user", "project", Set.of("member"), "caller-token",
                List.of(new RequestContext.CatalogEndpoint("image", "glance", REGION, "public", glance.v2Url())),
                false);
        return new ImportState(locked.task, ImportRequest.of(req), locked.targets, true, caller, false);
    }

    /** The remote image of glance-download, with the data's digests unless told otherwise. */
    private static ObjectNode remote(String hash) {
        ObjectNode m = FlowKit.JSON.createObjectNode();
        m.put("id", REMOTE_ID);
        m.put("status", "active");
        m.put("size", DATA.length);
        m.put("disk_format", "raw");
        m.put("container_format", "bare");
        m.put("checksum", FlowKit.digests(DATA).md5());
        m.put("os_hash_algo", "sha512");
        m.put("os_hash_value", hash);
        return m;
    }

    /** An active image whose data is in the file store fast, with the digests given. */
    private Image activeInFast(Digests d) throws Exception {
        Image img = kit.image(ImageStatus.ACTIVE);
        String url;
        try (StoreWrite w = kit.fast.beginWrite(img.id)) {
            w.channel().write(java.nio.ByteBuffer.wrap(DATA));
            url = w.commit();
        }
        kit.images.addLocation(img.id, url, Map.of("store", "fast"), "fast", Location.ACTIVE);
        img = kit.reload(img.id);
        img.size = d.size();
        img.checksum = d.md5();
        img.osHashAlgo = d.hashAlgo();
        img.osHashValue = d.hash();
        img.properties.put(StoreLists.IMPORTING, "rbd");
        img.properties.put(StoreLists.FAILED, "");
        kit.images.save(img, null);
        return kit.reload(img.id);
    }

    private Path staged(String imageId) {
        return stores.staging().pathOf(imageId);
    }

    // web-download

    @Test
    void webDownloadWritesTheStoreWhileDownloadingAndCommitsOnlyAfterVerification() throws Exception {
        Image img = importing(List.of("rbd"));
        ImportState s = webDownload(img, List.of("rbd"), true);

        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), new LockImage(kit.images, kit.tasks),
                fromUri()));
        RecordingStore.Write w = rbd.onlyWrite();
        assertArrayEquals(DATA, w.bytes(), "the bytes reached the store while they were downloaded");
        assertFalse(w.committed, "nothing is committed before verification");
        assertTrue(rbd.visible.isEmpty());
        assertFalse(Files.exists(staged(img.id)), "no target adopts a staged file: nothing is staged");
        Image mid = kit.reload(img.id);
        assertEquals(List.of(), mid.locations);
        assertEquals(ImageStatus.IMPORTING, mid.status);

        assertNull(run(s, verify(), commit()));
        assertTrue(w.committed);
        assertEquals(1, rbd.writes.size(), "written once");
        assertArrayEquals(DATA, rbd.visible.get(img.id));
        Image done = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, done.status);
        assertEquals(List.of("rbd"), done.storeIds());
        assertEquals("recording://rbd/" + img.id, done.locations.get(0).url());
        assertEquals(FlowKit.digests(DATA).hash(), done.osHashValue);
        assertEquals((long) DATA.length, done.size);
    }

    @Test
    void webDownloadToAFileAndAnotherStoreNeverReadsTheStagedFileBack() throws Exception {
        Image img = importing(List.of("fast", "rbd"));
        ImportState s = webDownload(img, List.of("fast", "rbd"), true);
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fromUri(), verify()));
        // the staged file is the file store's; if the recording store's data came from it, it would be this
        byte[] junk = new byte[DATA.length];
        Arrays.fill(junk, (byte) 'x');
        Files.write(staged(img.id), junk);

        assertNull(run(s, commit(), new DeleteStaging(stores.staging())));
        assertArrayEquals(DATA, rbd.visible.get(img.id), "the store got the downloaded bytes, not the staged file");
        assertEquals(1, rbd.writes.size());
        assertArrayEquals(junk, Files.readAllBytes(kit.fast.pathOf(img.id)), "the file store adopted the staged file");
        assertEquals(List.of("fast", "rbd"), kit.reload(img.id).storeIds().stream().sorted().toList());
    }

    @Test
    void aLaterStepFailingRemovesTheCommittedCopy() throws Exception {
        Image img = importing(List.of("rbd"));
        ImportState s = webDownload(img, List.of("rbd"), true);
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fromUri(), verify(), commit(), failing());
        assertEquals("a later step failed", e.getMessage());
        assertEquals(List.of("recording://rbd/" + img.id), rbd.deleted);
        assertTrue(rbd.visible.isEmpty());
        assertEquals(List.of(), kit.reload(img.id).locations);
    }

    @Test
    void aStoreFailingWhileTheDataStreamsFailsOnlyThatStoreWhenNotAllMustSucceed() throws Exception {
        rbd.failAfter = 10;
        Image img = importing(List.of("fast", "rbd"));
        ImportState s = webDownload(img, List.of("fast", "rbd"), false);
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fromUri(), verify(), commit()));
        RecordingStore.Write w = rbd.onlyWrite();
        assertTrue(w.aborted);
        assertFalse(w.committed);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(List.of("fast"), now.storeIds());
        assertEquals("rbd", now.properties.get(StoreLists.FAILED));
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertArrayEquals(DATA, Files.readAllBytes(kit.fast.pathOf(img.id)), "the other store got all the data");
    }

    @Test
    void aStoreFailingWhileTheDataStreamsFailsTheImportWhenAllMustSucceed() throws Exception {
        rbd.failAfter = 10;
        Image img = importing(List.of("fast", "rbd"));
        ImportState s = webDownload(img, List.of("fast", "rbd"), true);
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fromUri(), verify(), commit());
        assertNotNull(e);
        assertTrue(e.getMessage().startsWith("import to store rbd: recording store rbd fails as told"),
                e.getMessage());
        assertTrue(rbd.onlyWrite().aborted);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertEquals(List.of(), now.locations);
        assertFalse(Files.exists(kit.fast.pathOf(img.id)), "the copy that worked is removed");
        assertEquals("fast,rbd", now.properties.get(StoreLists.FAILED));
    }

    // glance-download

    @Test
    void glanceDownloadWritesTheStoreOnceWithTheRemoteSize() throws Exception {
        glance.image(remote(FlowKit.digests(DATA).hash()), DATA);
        Image img = importing(List.of("rbd"));
        ImportState s = glanceDownload(img, List.of("rbd"));
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fetch(), fromGlance()));
        RecordingStore.Write w = rbd.onlyWrite();
        assertEquals(DATA.length, w.expectedSize, "the store is told the size in advance");
        assertArrayEquals(DATA, w.bytes());
        assertFalse(w.committed);
        assertEquals(List.of(), kit.reload(img.id).locations);

        assertNull(run(s, verify(), commit(), new VerifyImageState(kit.images), new DeleteStaging(stores.staging())));
        assertTrue(w.committed);
        assertEquals(1, rbd.writes.size());
        assertEquals(ImageStatus.ACTIVE, kit.reload(img.id).status);
    }

    @Test
    void glanceDownloadWithAHashMismatchAbortsTheWriteAndLeavesNothing() throws Exception {
        glance.image(remote("00" + FlowKit.digests(DATA).hash().substring(2)), DATA);
        Image img = importing(List.of("rbd"));
        ImportState s = glanceDownload(img, List.of("rbd"));
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fetch(), fromGlance(), verify(),
                commit());
        assertEquals("sha512 of the downloaded data does not match the remote os_hash_value", e.getMessage());
        RecordingStore.Write w = rbd.onlyWrite();
        assertTrue(w.aborted);
        assertFalse(w.committed);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.QUEUED, now.status);
        assertEquals(List.of(), now.locations);
        assertNull(now.checksum);
    }

    @Test
    void aBrokenDownloadAbortsTheWrite() throws Exception {
        glance.image(remote(FlowKit.digests(DATA).hash()), DATA);
        glance.dataAnswer(REMOTE_ID, aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        Image img = importing(List.of("rbd"));
        ImportState s = glanceDownload(img, List.of("rbd"));
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.QUEUED), fetch(), fromGlance());
        assertNotNull(e);
        assertTrue(rbd.onlyWrite().aborted, "aborted by the step itself: " + e.getMessage());
        assertFalse(rbd.onlyWrite().committed);
        assertEquals(ImageStatus.QUEUED, kit.reload(img.id).status);
    }

    // glance-direct

    @Test
    void glanceDirectStreamsTheStagedFileOnceWithItsRecordedDigests() throws Exception {
        Image img = importing(List.of("rbd"));
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "rbd");
        kit.stage(img.id, DATA);
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.UPLOADING), verify(), commit()));
        RecordingStore.Write w = rbd.onlyWrite();
        assertEquals(DATA.length, w.expectedSize);
        assertTrue(w.committed);
        assertArrayEquals(DATA, rbd.visible.get(img.id));
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(FlowKit.digests(DATA).hash(), now.osHashValue);
    }

    @Test
    void glanceDirectWhoseStoreFailsToCommitGoesBackToUploadingWithNothingInTheStore() throws Exception {
        rbd.failCommit = true;
        Image img = importing(List.of("rbd"));
        ImportState s = kit.locked(img, ImportMethod.GLANCE_DIRECT, "rbd");
        kit.stage(img.id, DATA);
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.UPLOADING), verify(), commit());
        assertEquals("import to store rbd: recording store rbd fails its commit as told", e.getMessage());
        assertTrue(rbd.onlyWrite().aborted);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.UPLOADING, now.status);
        assertTrue(Files.exists(staged(img.id)), "the staged data is kept for the next import call");
    }

    // copy-image

    @Test
    void copyImageStreamsTheSourceOnceIntoTheStoreWithoutStaging() throws Exception {
        Image img = activeInFast(FlowKit.digests(DATA));
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "rbd");
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.ACTIVE), copy()));
        assertFalse(Files.exists(staged(img.id)), "no file store target: nothing is staged");
        RecordingStore.Write w = rbd.onlyWrite();
        assertFalse(w.inside);
        assertArrayEquals(DATA, w.bytes());
        assertFalse(w.committed);
        assertEquals(List.of("fast"), kit.reload(img.id).storeIds());

        assertNull(run(s, verify(), commit(), new DeleteStaging(stores.staging())));
        assertTrue(w.committed);
        assertEquals(1, rbd.writes.size());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(List.of("fast", "rbd"), now.storeIds().stream().sorted().toList());
    }

    @Test
    void copyImageOfDataThatDoesNotMatchTheImagesHashAbortsTheWrite() throws Exception {
        Digests real = FlowKit.digests(DATA);
        Image img = activeInFast(new Digests(real.size(), real.md5(), real.hashAlgo(),
                "00" + real.hash().substring(2)));
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "rbd");
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.ACTIVE), copy(), verify(), commit());
        assertEquals("staged data does not match the image's checksum and os_hash_value", e.getMessage());
        assertTrue(rbd.onlyWrite().aborted);
        assertFalse(rbd.onlyWrite().committed);
        assertTrue(rbd.visible.isEmpty());
        Image now = kit.reload(img.id);
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(List.of("fast"), now.storeIds());
        assertEquals("rbd", now.properties.get(StoreLists.FAILED));
    }

    @Test
    void copyImageCopiesInsideTheBackEndWhenTheStoreOffersIt() throws Exception {
        rbd.copiesInsideFrom = kit.fast;
        Image img = activeInFast(FlowKit.digests(DATA));
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "rbd");
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.ACTIVE), copy()));
        RecordingStore.Write w = rbd.onlyWrite();
        assertTrue(w.inside, "copied inside, not streamed through Ferry");
        assertFalse(w.committed);
        assertFalse(Files.exists(staged(img.id)));

        assertNull(run(s, verify(), commit()));
        assertTrue(w.committed);
        assertArrayEquals(DATA, rbd.visible.get(img.id));
        assertEquals(List.of("fast", "rbd"), kit.reload(img.id).storeIds().stream().sorted().toList());
    }

    @Test
    void aCopyInsideIsAbortedWhenALaterStepFails() throws Exception {
        rbd.copiesInsideFrom = kit.fast;
        Image img = activeInFast(FlowKit.digests(DATA));
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "rbd");
        Exception e = run(s, restore(RestoreImageOnFailure.Outcome.ACTIVE), copy(), verify(), failing());
        assertEquals("a later step failed", e.getMessage());
        assertTrue(rbd.onlyWrite().aborted);
        assertTrue(rbd.visible.isEmpty());
        assertEquals(List.of("fast"), kit.reload(img.id).storeIds());
    }

    @Test
    void copyImageToAFileAndAnotherStoreReadsTheSourceOnce() throws Exception {
        Image img = activeInFast(FlowKit.digests(DATA));
        // the source is cheap, so fast (the default) can be a target
        Image moved = kit.reload(img.id);
        String url;
        try (StoreWrite w = kit.cheap.beginWrite(img.id)) {
            w.channel().write(java.nio.ByteBuffer.wrap(DATA));
            url = w.commit();
        }
        kit.images.removeLocation(moved.locations.get(0).id());
        kit.fast.delete(moved.locations.get(0).url());
        kit.images.addLocation(img.id, url, Map.of("store", "cheap"), "cheap", Location.ACTIVE);
        StoreRegistry three = new StoreRegistry(List.<Store>of(kit.fast, kit.cheap, rbd), kit.fast,
                kit.stores.staging(), true);
        stores = three;
        ImportState s = kit.locked(img, ImportMethod.COPY_IMAGE, "fast", "rbd");
        assertNull(run(s, restore(RestoreImageOnFailure.Outcome.ACTIVE), copy()));
        assertTrue(Files.exists(staged(img.id)), "the file store target adopts the staged copy");
        byte[] junk = new byte[DATA.length];
        Arrays.fill(junk, (byte) 'y');
        Files.write(staged(img.id), junk);
        assertNull(run(s, verify(), commit()));
        assertArrayEquals(DATA, rbd.visible.get(img.id), "streamed from the source, not from the staged file");
        assertEquals(1, rbd.writes.size());
        assertEquals(List.of("cheap", "fast", "rbd"), kit.reload(img.id).storeIds().stream().sorted().toList());
        assertArrayEquals(DATA, Channels.newInputStream(kit.cheap.open(url).channel()).readAllBytes());
    }
}
