package org.ferry.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.Database;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.StoreSettings;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * What the step unit tests run on, without Camel or an HTTP server: an in-memory catalog, two file stores (fast,
 * cheap) and staging in a temporary directory, a data mover,, and images and tasks holding the import lock as a started import has.
 */
final class FlowKit implements BeforeEachCallback, AfterEachCallback {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The test's own directory, removed after it. */
    Path dir;
    Database db;
    ImageRepository images;
    TaskRepository tasks;
    FileStore fast;
    FileStore cheap;
    StoreRegistry stores;
    /** Threads for the data mover and the store commits. */
    ExecutorService pool;
    DataMover mover;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("ferry-flow-");
        pool = Executors.newFixedThreadPool(4);
        mover = new DataMover(pool, DataMover.DEFAULT_BUFFER_SIZE, 4);
        db = Database.open("jdbc:h2:mem:flow-" + UUID.randomUUID(), 4);
        images = new ImageRepository(db.jdbi());
        tasks = new TaskRepository(db.jdbi());
        fast = new FileStore(new StoreSettings("fast", Optional.empty(), 0), new FileStoreOptions(dir.resolve("fast"), 65536, false));
        cheap = new FileStore(new StoreSettings("cheap", Optional.empty(), 0), new FileStoreOptions(dir.resolve("cheap"), 65536, false));
        FileStore staging = new FileStore(new StoreSettings("staging", Optional.empty(), 0), new FileStoreOptions(dir.resolve("staging"), 65536, false));
        stores = new StoreRegistry(List.<Store>of(fast, cheap), fast, staging, true);
    }

    /** A new image with both formats, in {@code status}. */
    Image image(ImageStatus status) {
        Image img = new Image();
        img.id = UUID.randomUUID().toString();
        img.name = "unit";
        img.status = status;
        img.owner = "project";
        img.diskFormat = "raw";
        img.containerFormat = "bare";
        img.createdAt = ImageRepository.now();
        img.updatedAt = img.createdAt;
        images.create(img);
        return images.find(img.id).orElseThrow();
    }

    /** A processing import task of {@code method} into {@code targets} that holds the image's lock. */
    ImportState locked(Image img, ImportMethod method, List<String> targets, boolean allMustSucceed) {
        ImportState s = state(img, method, targets, allMustSucceed, "api_image_import");
        if (!images.setPropertyIfAbsent(img.id, StoreLists.LOCK, s.taskId())) {
            throw new IllegalStateException("image " + img.id + " is locked already");
        }
        return s;
    }

    ImportState locked(Image img, ImportMethod method, String... targets) {
        return locked(img, method, List.of(targets), true);
    }

    /** The state of a task that does not hold the lock (it was never taken, or taken over). */
    ImportState state(Image img, ImportMethod method, List<String> targets, boolean allMustSucceed, String type) {
        ObjectNode req = JSON.createObjectNode();
        req.putObject("method").put("name", method.wireName());
        req.put("all_stores_must_succeed", allMustSucceed);
        ObjectNode input = JSON.createObjectNode();
        input.put("image_id", img.id);
        input.set("import_req", req);
        targets.forEach(input.putArray("backend")::add);
        var now = ImageRepository.now();
        Task task = new Task(UUID.randomUUID().toString(), type, Task.PROCESSING, "project", img.id, "req-unit",
                "user", input.toString(), null, "", null, now, now);
        tasks.create(task);
        return new ImportState(task, ImportRequest.of(req), targets, true, null, false);
    }

    Image reload(String id) {
        return images.find(id).orElseThrow(() -> new AssertionError("image " + id + " is gone"));
    }

    /** Stages {@code data} for the image as PUT /stage does (file and digest sidecar); returns what was staged. */
    StagedData stage(String imageId, byte[] data) throws IOException {
        Path p = stores.staging().pathOf(imageId);
        Files.write(p, data);
        Digests d = digests(data);
        StagedDigests.write(p, d);
        return new StagedData(p, d);
    }

    static Digests digests(byte[] data) {
        try {
            return new Digests(data.length, hex(MessageDigest.getInstance("MD5").digest(data)), "sha512",
                    hex(MessageDigest.getInstance("SHA-512").digest(data)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Moves the image to another status behind the import's back, as a concurrent request would. */
    void moveStatus(String id, ImageStatus to) {
        Image img = reload(id);
        img.status = to;
        if (!images.save(img, null)) {
            throw new IllegalStateException("image " + id + " is gone");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        pool.shutdownNow();
        db.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The commit step over these stores, as Ferry wires it. */
    CommitToStores commitToStores(StoreRegistry over) {
        return new CommitToStores(over, images, pool, new StoreAcls(images,
                new org.ferry.catalog.MemberRepository(db.jdbi()), over));
    }
}
