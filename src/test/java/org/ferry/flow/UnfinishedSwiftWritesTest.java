package org.ferry.flow;

import org.ferry.catalog.Database;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.store.FileStore;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreSettings;
import org.ferry.store.SwiftStoreOptions;
import org.ferry.store.swift.SwiftStore;
import org.ferry.testing.TestSwift;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The start-up sweep over a swift store on the Swift lab: segments without a manifest that a crash left. Those of an
 * image the catalog knows go, also when the image's dead import still held its lock when the sweep started (the
 * recovering import reverts and drops it a moment later); another service's segments in the same container stay.
 */
class UnfinishedSwiftWritesTest {
    @TempDir
    Path dir;

    @Test
    void removesSegmentsACrashLeftOnceNothingWritesThemAndLeavesForeignOnes() throws Exception {
        TestSwift lab = TestSwift.lab();
        TestSwift.Raw raw = lab.raw();
        String container = "ferry-sweep-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> lines = new ArrayList<>(List.of("[swift]", "swift_store_container = " + container,
                "swift_store_create_container_on_put = true"));
        lines.addAll(lab.inlineOptions());
        SwiftStore swift = new SwiftStore(new StoreSettings("swift", Optional.empty(), 0), SwiftStoreOptions.read(
                new ConfigReader(IniFile.parse(lines, "test.conf")), "swift", dir), new okhttp3.OkHttpClient());
        Database db = Database.open("jdbc:h2:mem:sweep-" + UUID.randomUUID(), 2);
        try {
            ImageRepository images = new ImageRepository(db.jdbi());
            String crashed = image(images, ImageStatus.QUEUED);
            String recovering = image(images, ImageStatus.IMPORTING);
            images.setPropertyIfAbsent(recovering, StoreLists.LOCK, "dead-task");
            String uploading = image(images, ImageStatus.SAVING);
            String foreign = UUID.randomUUID().toString(); // a Glance's image in the same container
            swift.beginWrite(UUID.randomUUID().toString(), 0).abort(); // makes the container
            for (String id : List.of(crashed, recovering, uploading, foreign)) {
                raw.put(container, id + "-00001", new byte[10]);
                raw.put(container, id + "-00002", new byte[10]);
            }
            FileStore staging = new FileStore(new StoreSettings("staging", Optional.empty(), 0),
                    new FileStoreOptions(dir.resolve("staging"), 65536, false));
            StoreRegistry stores = new StoreRegistry(List.<Store>of(swift), swift, staging, true);
            Thread revert = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                images.deletePropertyIfValue(recovering, StoreLists.LOCK, "dead-task");
            });
            revert.start();
            new UnfinishedStoreWrites(stores, images, Duration.ofMillis(200), 5).sweep();
            revert.join();
            assertEquals(List.of(foreign + "-00001", foreign + "-00002", uploading + "-00001", uploading + "-00002")
                    .stream().sorted().toList(), raw.list(container));
        } finally {
            raw.removeContainer(container);
            swift.close();
            db.close();
        }
    }

    private static String image(ImageRepository images, ImageStatus status) {
        Image img = new Image();
        img.id = UUID.randomUUID().toString();
        img.name = "sweep";
        img.status = status;
        img.owner = "project";
        img.createdAt = ImageRepository.now();
        img.updatedAt = img.createdAt;
        images.create(img);
        return img.id;
    }
}
