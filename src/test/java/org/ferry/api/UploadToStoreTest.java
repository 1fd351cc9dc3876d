package org.ferry.api;

import io.undertow.Undertow;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.ferry.catalog.MemberRepository;
import org.ferry.flow.StoreAcls;
import org.ferry.auth.NoAuthAuthenticator;
import org.ferry.auth.Policy;
import org.ferry.catalog.Database;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.config.Quotas;
import org.ferry.data.DataMover;
import org.ferry.http.FrontHandler;
import org.ferry.http.Router;
import org.ferry.store.FileStore;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreSettings;
import org.ferry.testing.RecordingStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PUT /v2/images/{id}/file into a store that does not adopt staged files (a {@link RecordingStore}, as rbd is): the
 * request body goes straight into one write of the store, told the size in advance when the request gives it, and
 * committed only once the whole body arrived; any failure aborts it. The image API runs on its own Undertow with
 * only this handler, so the test store can be registered without a test path in Ferry's start-up.
 */
class UploadToStoreTest {
    private static final byte[] DATA = "the uploaded image, sent once and written once".getBytes();
    private static final String PROJECT = "project-one";

    Path dir;
    Database db;
    ImageRepository images;
    ExecutorService pool;
    RecordingStore rbd;
    Undertow server;
    String base;
    final OkHttpClient http = new OkHttpClient();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("ferry-upload-");
        db = Database.open("jdbc:h2:mem:upload-" + UUID.randomUUID(), 4);
        images = new ImageRepository(db.jdbi());
        pool = Executors.newCachedThreadPool();
        FileStore fast = new FileStore(new StoreSettings("fast", Optional.empty(), 0),
                new FileStoreOptions(dir.resolve("fast"), 65536, false));
        FileStore staging = new FileStore(new StoreSettings("staging", Optional.empty(), 0),
                new FileStoreOptions(dir.resolve("staging"), 65536, false));
        rbd = new RecordingStore("rbd", dir.resolve("unused"));
        StoreRegistry stores = new StoreRegistry(List.<Store>of(fast, rbd), fast, staging, true);
        Policy policy = Policy.defaults();
        ApiSettings settings = new ApiSettings(List.of("glance-direct"), false, 1L << 20, "sha512",
                new Quotas(128, 128, 128, 10), 25, 1000);
        Router router = new Router();
        new ImageDataApi(settings, images, new ImageGuard(images, policy), stores,
                new DataMover(pool, DataMover.DEFAULT_BUFFER_SIZE, 4), null,
                new StoreAcls(images, new MemberRepository(db.jdbi()), stores)).register(router);
        server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new FrontHandler(router, new NoAuthAuthenticator(List.of()),
                        new VersionsApi(Optional.empty(), true), 64))
                .build();
        server.start();
        base = "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterEach
    void stop() throws IOException {
        server.stop();
        pool.shutdownNow();
        db.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Image queued() {
        Image img = new Image();
        img.id = UUID.randomUUID().toString();
        img.name = "upload";
        img.status = ImageStatus.QUEUED;
        img.owner = PROJECT;
        img.diskFormat = "raw";
        img.containerFormat = "bare";
        img.createdAt = ImageRepository.now();
        img.updatedAt = img.createdAt;
        images.create(img);
        return img;
    }

    /** PUT of {@code body} to the image's data, into the store rbd; chunked (no Content-Length) when told. */
    private int put(String id, byte[] body, boolean chunked, String... headers) throws IOException {
        MediaType octets = MediaType.get("application/octet-stream");
        RequestBody rb = !chunked ? RequestBody.create(body, octets) : new RequestBody() {
            @Override
            public MediaType contentType() {
                return octets;
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(body);
            }
        };
        Request.Builder b = new Request.Builder().url(base + "/v2/images/" + id + "/file").put(rb)
                .header("X-Project-Id", PROJECT).header("X-Roles", "member").header("X-Image-Meta-Store", "rbd");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try (Response r = http.newCall(b.build()).execute()) {
            return r.code();
        }
    }

    @Test
    void anUploadIsWrittenOnceToTheStoreWithItsSize() throws Exception {
        Image img = queued();
        assertEquals(204, put(img.id, DATA, false));
        RecordingStore.Write w = rbd.onlyWrite();
        assertEquals(DATA.length, w.expectedSize, "Content-Length is passed to the store");
        assertTrue(w.committed);
        assertArrayEquals(DATA, rbd.visible.get(img.id));
        Image now = images.find(img.id).orElseThrow();
        assertEquals(ImageStatus.ACTIVE, now.status);
        assertEquals(List.of("rbd"), now.storeIds());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(DATA)), now.osHashValue);
    }

    @Test
    void aChunkedUploadTellsTheStoreTheSizeIsUnknown() throws Exception {
        Image img = queued();
        assertEquals(204, put(img.id, DATA, true));
        RecordingStore.Write w = rbd.onlyWrite();
        assertEquals(-1, w.expectedSize);
        assertArrayEquals(DATA, rbd.visible.get(img.id));
    }

    @Test
    void aStoreFailureAbortsTheWriteAndTheImageStaysQueued() throws Exception {
        rbd.failAfter = 10;
        Image img = queued();
        assertEquals(500, put(img.id, DATA, false));
        RecordingStore.Write w = rbd.onlyWrite();
        assertTrue(w.aborted);
        assertFalse(w.committed);
        assertTrue(rbd.visible.isEmpty());
        Image now = images.find(img.id).orElseThrow();
        assertEquals(ImageStatus.QUEUED, now.status);
        assertEquals(List.of(), now.locations);
    }

    @Test
    void aBodyShorterThanTheDeclaredSizeAbortsTheWrite() throws Exception {
        Image img = queued();
        assertEquals(400, put(img.id, DATA, false, "x-openstack-image-size", String.valueOf(DATA.length + 7)));
        RecordingStore.Write w = rbd.onlyWrite();
        assertEquals(DATA.length + 7, w.expectedSize);
        assertTrue(w.aborted);
        assertFalse(w.committed);
        assertTrue(rbd.visible.isEmpty());
        assertEquals(ImageStatus.QUEUED, images.find(img.id).orElseThrow().status);
    }
}
