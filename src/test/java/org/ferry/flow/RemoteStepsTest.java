package org.ferry.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.OkHttpClient;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.data.DataMover;
import org.ferry.data.StagedDigests;
import org.ferry.remote.ImportFiltering;
import org.ferry.remote.SafeHttp;
import org.ferry.remote.UriFilter;
import org.ferry.testing.GlanceStub;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * glance-download's and web-download's remote steps ({@link FetchRemoteMetadata}, {@link DownloadFromGlance},
 * {@link DownloadFromUri}), execute and revert called directly against a WireMock Glance / web server on 127.0.0.1.
 */
class RemoteStepsTest {
    private static final String REMOTE_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String REGION = "RegionTwo";
    private static final byte[] DATA = "the remote image's data, forty-odd bytes long".getBytes();
    private static final List<String> PREFIXES = List.of("hw_", "os_distro");
    private static final long CAP = 1L << 20;

    @RegisterExtension
    static final GlanceStub glance = GlanceStub.started();

    @RegisterExtension
    final FlowKit kit = new FlowKit();
    SafeHttp http;

    @BeforeEach
    void open() {
        glance.resetAll();
        http = new SafeHttp(new OkHttpClient(), new UriFilter(new ImportFiltering(List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of())));
    }


    /** The remote image as the region shows it: active, with the data's size and digests and three properties. */
    private static ObjectNode remote() {
        ObjectNode m = FlowKit.JSON.createObjectNode();
        m.put("id", REMOTE_ID);
        m.put("status", "active");
        m.put("size", DATA.length);
        m.put("disk_format", "qcow2");
        m.put("container_format", "ovf");
        m.put("checksum", FlowKit.digests(DATA).md5());
        m.put("os_hash_algo", "sha512");
        m.put("os_hash_value", FlowKit.digests(DATA).hash());
        m.put("hw_disk_bus", "scsi");
        m.put("os_distro", "ubuntu");
        m.put("owner_specified.note", "not copied");
        return m;
    }

    /** A locked glance-download of {@link #REMOTE_ID} from {@link #REGION}, with a caller whose catalog has it. */
    private ImportState glanceDownload(Image img) {
        ImportState locked = kit.locked(img, ImportMethod.GLANCE_DOWNLOAD, "fast");
        ObjectNode req = FlowKit.JSON.createObjectNode();
        req.putObject("method").put("name", ImportMethod.GLANCE_DOWNLOAD.wireName())
                .put("glance_image_id", REMOTE_ID).put("glance_region", REGION);
        RequestContext caller = new RequestContext("req-unit", "user", "project", Set.of("member"), "caller-token",
                List.of(new RequestContext.CatalogEndpoint("image", "glance", REGION, "public", glance.v2Url())),
                false);
        return new ImportState(locked.task, ImportRequest.of(req), locked.targets, true, caller, false);
    }

    /** A locked web-download of {@code url}. */
    private ImportState webDownload(Image img, String url) {
        ImportState locked = kit.locked(img, ImportMethod.WEB_DOWNLOAD, "fast");
        ObjectNode req = FlowKit.JSON.createObjectNode();
        req.putObject("method").put("name", ImportMethod.WEB_DOWNLOAD.wireName()).put("uri", url);
        return new ImportState(locked.task, ImportRequest.of(req), locked.targets, true, null, false);
    }

    /** An importing image with a property of its own and the bookkeeping of an import to fast. */
    private Image importing() {
        Image img = kit.image(ImageStatus.IMPORTING);
        img.properties.put("mine", "kept");
        img.properties.put(StoreLists.IMPORTING, "fast");
        kit.images.save(img, null);
        return kit.reload(img.id);
    }

    private FetchRemoteMetadata fetch(long cap) {
        return new FetchRemoteMetadata(kit.images, http, PREFIXES, "sha512", cap);
    }

    private DownloadFromGlance fromGlance(long cap) {
        return new DownloadFromGlance(kit.stores, http, kit.mover, kit.tasks, "SHA-512", "sha512", cap);
    }

    private DownloadFromUri fromUri(long cap) {
        return new DownloadFromUri(kit.stores, http, kit.mover, kit.tasks, "SHA-512", "sha512", cap);
    }

    /** A step that hands a fixed result to the steps after it, as an earlier step of the route would. */
    private static <R> void given(ImportState s, R result) throws Exception {
        s.run(new FlowStep<R>() {
            @Override
            protected R execute(ImportState state) {
                return result;
            }
        });
    }

    private static RemoteImage remoteSize(long size) {
        return new RemoteImage(size, null, null, Map.of(), "raw", "bare");
    }

    // FetchRemoteMetadata

    @Test
    void fetchCopiesOnlyTheConfiguredPrefixesAndTheFormats() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        Image before = kit.reload(img.id);
        RemoteImage r = fetch(CAP).execute(s);

        assertEquals(DATA.length, r.size());
        assertEquals(FlowKit.digests(DATA).hash(), r.hash(), "the remote uses our algorithm: its hash is checked");
        assertNull(r.md5());
        assertEquals(before.properties, r.propertiesBefore());
        assertEquals("raw", r.diskFormatBefore());
        assertEquals("bare", r.containerFormatBefore());

        Image now = kit.reload(img.id);
        assertEquals("scsi", now.properties.get("hw_disk_bus"));
        assertEquals("ubuntu", now.properties.get("os_distro"));
        assertFalse(now.properties.containsKey("owner_specified.note"), "not a configured prefix");
        assertEquals("kept", now.properties.get("mine"));
        assertEquals("qcow2", now.diskFormat);
        assertEquals("ovf", now.containerFormat);
        assertEquals(ImageStatus.IMPORTING, now.status);
        glance.verify(getRequestedFor(urlPathEqualTo("/v2/images/" + REMOTE_ID))
                .withHeader("X-Auth-Token", equalTo("caller-token")));
    }

    @Test
    void fetchChecksTheRemoteChecksumWhenItsHashUsesAnotherAlgorithm() throws Exception {
        glance.image(remote().put("os_hash_algo", "sha256").put("os_hash_value", "abcd"), DATA);
        RemoteImage r = fetch(CAP).execute(glanceDownload(importing()));
        assertEquals(FlowKit.digests(DATA).md5(), r.md5());
        assertNull(r.hash());
    }

    @Test
    void fetchRefusesARemoteImageThatIsNotActive() {
        glance.image(remote().put("status", "queued"), DATA);
        Image img = importing();
        ImportFailure f = assertThrows(ImportFailure.class, () -> fetch(CAP).execute(glanceDownload(img)));
        assertEquals("remote image " + REMOTE_ID + " in region " + REGION + " is queued, not active", f.getMessage());
        assertUntouched(img);
    }

    @Test
    void fetchRefusesARemoteImageOfUnknownSize() {
        ObjectNode meta = remote();
        meta.putNull("size");
        glance.image(meta, DATA);
        Image img = importing();
        ImportFailure f = assertThrows(ImportFailure.class, () -> fetch(CAP).execute(glanceDownload(img)));
        assertEquals("size of remote image " + REMOTE_ID + " could not be determined", f.getMessage());
        assertUntouched(img);
    }

    @Test
    void fetchRefusesARemoteImageOverTheSizeCap() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        long cap = DATA.length - 1;
        ImportFailure f = assertThrows(ImportFailure.class, () -> fetch(cap).execute(glanceDownload(img)));
        assertEquals("remote image " + REMOTE_ID + " has " + DATA.length + " bytes, more than image_size_cap " + cap,
                f.getMessage());
        assertUntouched(img);
        // exactly the cap is allowed
        fetch(DATA.length).execute(glanceDownload(importing()));
    }

    @Test
    void fetchRefusesWithoutTheCallersToken() {
        Image img = importing();
        ImportState withCaller = glanceDownload(img);
        ImportState recovered = new ImportState(withCaller.task, withCaller.request, withCaller.targets, true, null,
                true);
        ImportFailure f = assertThrows(ImportFailure.class, () -> fetch(CAP).execute(recovered));
        assertEquals("Ferry restarted during this glance-download; the caller's token is not kept across restarts, "
                + "so the import was reverted: start it again", f.getMessage());
    }

    @Test
    void fetchChangesTheImageOnlyUnderTheLockWhileItIsImporting() {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        kit.moveStatus(img.id, ImageStatus.QUEUED);
        ImportFailure f = assertThrows(ImportFailure.class, () -> fetch(CAP).execute(s));
        assertEquals("image " + img.id + " is no longer importing", f.getMessage());
        assertEquals("raw", kit.reload(img.id).diskFormat);

        Image other = importing();
        ImportState s2 = glanceDownload(other);
        takeOver(s2, "another-task");
        f = assertThrows(ImportFailure.class, () -> fetch(CAP).execute(s2));
        assertEquals("the import lock of image " + other.id + " is held by task another-task, not by this task",
                f.getMessage());
        assertUntouched(other);
    }

    @Test
    void fetchRevertRestoresPropertiesAndFormatsButKeepsTheStoreLists() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        FetchRemoteMetadata step = fetch(CAP);
        RemoteImage r = step.execute(s);
        // what later steps and the failure bookkeeping wrote meanwhile
        Image meanwhile = kit.reload(img.id);
        meanwhile.properties.put(StoreLists.IMPORTING, "");
        meanwhile.properties.put(StoreLists.FAILED, "fast");
        kit.images.save(meanwhile, null);

        step.revert(s, r);
        Image now = kit.reload(img.id);
        assertEquals("raw", now.diskFormat);
        assertEquals("bare", now.containerFormat);
        assertFalse(now.properties.containsKey("hw_disk_bus"));
        assertFalse(now.properties.containsKey("os_distro"));
        assertEquals("kept", now.properties.get("mine"));
        assertEquals("", now.properties.get(StoreLists.IMPORTING));
        assertEquals("fast", now.properties.get(StoreLists.FAILED));
        assertEquals(s.taskId(), now.properties.get(StoreLists.LOCK));
    }

    @Test
    void fetchRevertOfNothingDoesNothing() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        FetchRemoteMetadata step = fetch(CAP);
        step.execute(s);
        step.revert(s, null);
        Image now = kit.reload(img.id);
        assertEquals("qcow2", now.diskFormat);
        assertEquals("scsi", now.properties.get("hw_disk_bus"));
    }

    @Test
    void fetchRevertLeavesTheImageAloneOnceAnotherTaskHoldsTheLock() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        FetchRemoteMetadata step = fetch(CAP);
        RemoteImage r = step.execute(s);
        takeOver(s, "the-new-owner");

        step.revert(s, r);
        Image now = kit.reload(img.id);
        assertEquals("qcow2", now.diskFormat, "the new owner's image is not reverted");
        assertEquals("scsi", now.properties.get("hw_disk_bus"));
        assertEquals("the-new-owner", now.properties.get(StoreLists.LOCK));
    }

    /** Another task takes the import lock over, as after an hour without progress. */
    private void takeOver(ImportState s, String newOwner) {
        assertTrue(kit.images.deletePropertyIfValue(s.imageId(), StoreLists.LOCK, s.taskId()));
        assertTrue(kit.images.setPropertyIfAbsent(s.imageId(), StoreLists.LOCK, newOwner));
    }

    /** The image as {@link #importing()} made it: no property copied, formats unchanged. */
    private void assertUntouched(Image img) {
        Image now = kit.reload(img.id);
        assertEquals("raw", now.diskFormat);
        assertEquals("bare", now.containerFormat);
        assertFalse(now.properties.containsKey("hw_disk_bus"));
        assertEquals("kept", now.properties.get("mine"));
    }

    // DownloadFromGlance

    @Test
    void glanceDataIsStagedWithItsDigests() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length));
        StagedData staged = fromGlance(CAP).execute(s);

        assertEquals(kit.stores.staging().pathOf(img.id), staged.path());
        assertEquals(FlowKit.digests(DATA), staged.digests());
        assertArrayEquals(DATA, Files.readAllBytes(staged.path()));
        assertEquals(FlowKit.digests(DATA), StagedDigests.read(staged.path()).orElseThrow(), "sidecar written");
        glance.verify(getRequestedFor(urlPathEqualTo("/v2/images/" + REMOTE_ID + "/file"))
                .withHeader("X-Auth-Token", equalTo("caller-token")));
    }

    @Test
    void glanceDataShorterThanTheRemoteSizeFails() throws Exception {
        // chunked: no Content-Length, so the count is checked while streaming
        glance.image(remote(), DATA).dataAnswer(REMOTE_ID,
                aResponse().withStatus(200).withBody(DATA).withChunkedDribbleDelay(2, 20));
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length + 5));
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromGlance(CAP).execute(s));
        assertEquals("downloaded " + DATA.length + " bytes, remote size is " + (DATA.length + 5), f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void glanceDataLongerThanTheRemoteSizeFails() throws Exception {
        glance.image(remote(), DATA).dataAnswer(REMOTE_ID,
                aResponse().withStatus(200).withBody(DATA).withChunkedDribbleDelay(2, 20));
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length - 5));
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromGlance(CAP).execute(s));
        assertEquals("downloaded more than " + (DATA.length - 5) + " bytes, remote size is " + (DATA.length - 5),
                f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void aContentLengthOtherThanTheRemoteSizeFailsBeforeReading() throws Exception {
        // not gzipped: OkHttp drops the Content-Length of a body it unzips
        glance.image(remote(), DATA).dataAnswer(REMOTE_ID, aResponse().withStatus(200)
                .withHeader("Content-Length", String.valueOf(DATA.length)).withHeader("Content-Encoding", "identity")
                .withBody(DATA));
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length + 1));
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromGlance(CAP).execute(s));
        assertEquals("remote sends " + DATA.length + " bytes, remote size is " + (DATA.length + 1), f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void glanceDataOverTheSizeCapFails() throws Exception {
        glance.image(remote(), DATA).dataAnswer(REMOTE_ID,
                aResponse().withStatus(200).withBody(DATA).withChunkedDribbleDelay(2, 20));
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length));
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromGlance(10).execute(s));
        assertEquals("the data is larger than image_size_cap 10", f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void downloadRevertRemovesTheStagedDataAndPartials() throws Exception {
        glance.image(remote(), DATA);
        Image img = importing();
        ImportState s = glanceDownload(img);
        given(s, remoteSize(DATA.length));
        DownloadFromGlance step = fromGlance(CAP);
        StagedData staged = step.execute(s);
        Path partial = kit.stores.staging().pathOf(img.id).resolveSibling("." + img.id + ".left-over.part");
        Files.write(partial, new byte[] {1, 2});

        step.revert(s, staged);
        assertFalse(Files.exists(staged.path()));
        assertFalse(Files.exists(StagedDigests.sidecar(staged.path())));
        assertFalse(Files.exists(partial));

        // a revert after a failed execute (no result) cleans up the same way
        Files.write(partial, new byte[] {1, 2});
        kit.stage(img.id, DATA);
        step.revert(s, null);
        assertNothingStaged(img.id);
    }

    // DownloadFromUri

    @Test
    void uriDataIsStagedWithItsDigests() throws Exception {
        glance.stubFor(get(urlPathEqualTo("/images/cirros.img")).willReturn(aResponse().withStatus(200)
                .withBody(DATA)));
        Image img = importing();
        ImportState s = webDownload(img, glance.baseUrl() + "/images/cirros.img");
        StagedData staged = fromUri(CAP).execute(s);
        assertEquals(kit.stores.staging().pathOf(img.id), staged.path());
        assertEquals(FlowKit.digests(DATA), staged.digests());
        assertArrayEquals(DATA, Files.readAllBytes(staged.path()));
        assertEquals(FlowKit.digests(DATA), StagedDigests.read(staged.path()).orElseThrow());
        glance.verify(getRequestedFor(urlPathEqualTo("/images/cirros.img")).withoutHeader("X-Auth-Token"));
    }

    @Test
    void uriDataOverTheSizeCapFails() throws Exception {
        byte[] big = new byte[4096];
        Arrays.fill(big, (byte) 7);
        glance.stubFor(get(urlPathEqualTo("/images/big.img")).willReturn(aResponse().withStatus(200)
                .withBody(big).withChunkedDribbleDelay(2, 20)));
        Image img = importing();
        ImportState s = webDownload(img, glance.baseUrl() + "/images/big.img");
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromUri(1000).execute(s));
        assertEquals("the data is larger than image_size_cap 1000", f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void uriDataIsHeldToTheRemoteSizeWhenThereIsOne() throws Exception {
        glance.stubFor(get(urlPathEqualTo("/images/short.img")).willReturn(aResponse().withStatus(200)
                .withBody(DATA).withChunkedDribbleDelay(2, 20)));
        Image img = importing();
        ImportState s = webDownload(img, glance.baseUrl() + "/images/short.img");
        given(s, remoteSize(DATA.length + 3));
        ImportFailure f = assertThrows(ImportFailure.class, () -> fromUri(CAP).execute(s));
        assertEquals("downloaded " + DATA.length + " bytes, remote size is " + (DATA.length + 3), f.getMessage());
        assertNothingStaged(img.id);
    }

    @Test
    void uriDownloadRevertRemovesTheStagedData() throws Exception {
        glance.stubFor(get(urlPathEqualTo("/images/cirros.img")).willReturn(aResponse().withStatus(200)
                .withBody(DATA)));
        Image img = importing();
        ImportState s = webDownload(img, glance.baseUrl() + "/images/cirros.img");
        DownloadFromUri step = fromUri(CAP);
        StagedData staged = step.execute(s);
        step.revert(s, staged);
        assertNothingStaged(img.id);
    }

    /** No staged file, digest sidecar or partial write of the image is left in staging. */
    private void assertNothingStaged(String imageId) throws Exception {
        Path p = kit.stores.staging().pathOf(imageId);
        assertFalse(Files.exists(p), "staged data left");
        assertFalse(Files.exists(StagedDigests.sidecar(p)), "digest sidecar left");
        try (var files = Files.list(p.getParent())) {
            List<String> partials = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("." + imageId + ".") && n.endsWith(".part")).toList();
            assertTrue(partials.isEmpty(), "partial writes left: " + partials);
        }
    }
}
