package org.ferry.flow;

import org.ferry.catalog.Database;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.store.FileStore;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.S3StoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreSettings;
import org.ferry.store.s3.S3Store;
import org.ferry.testing.TestS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The start-up sweep over an s3 store on the Ceph lab's radosgw: a multipart upload a crash left for an image Ferry
 * knows is aborted; one of an image still being written, and another service's in a shared bucket, are left alone.
 */
class UnfinishedS3WritesTest {
    @TempDir
    Path dir;

    @Test
    void abortsOnlyFerrysOwnUploadsThatNothingStillWrites() throws Exception {
        TestS3 lab = TestS3.lab();
        String bucket = "ferry-sweep-" + UUID.randomUUID().toString().substring(0, 8);
        S3Store s3 = new S3Store(new StoreSettings("s3", Optional.empty(), 0), new S3StoreOptions(lab.endpoint(),
                lab.accessKey(), lab.secretKey(), bucket, true, "path", 100, 5, 2, "", ""));
        S3Client raw = lab.client();
        Database db = Database.open("jdbc:h2:mem:sweep-" + UUID.randomUUID(), 2);
        try {
            ImageRepository images = new ImageRepository(db.jdbi());
            String crashed = image(images, ImageStatus.QUEUED);
            String uploading = image(images, ImageStatus.SAVING);
            String foreign = UUID.randomUUID().toString(); // a Glance's image in the same bucket
            s3.beginWrite("bucket-maker", 0).abort();
            for (String key : List.of(crashed, uploading, foreign)) {
                raw.createMultipartUpload(r -> r.bucket(bucket).key(key));
            }
            FileStore staging = new FileStore(new StoreSettings("staging", Optional.empty(), 0),
                    new FileStoreOptions(dir.resolve("staging"), 65536, false));
            StoreRegistry stores = new StoreRegistry(List.<Store>of(s3), s3, staging, true);
            new UnfinishedStoreWrites(stores, images, Duration.ofMillis(10), 2).sweep();
            assertEquals(List.of(foreign, uploading).stream().sorted().toList(), raw.listMultipartUploads(r ->
                    r.bucket(bucket)).uploads().stream().map(u -> u.key()).sorted().toList());
        } finally {
            raw.listMultipartUploads(r -> r.bucket(bucket)).uploads().forEach(u -> raw.abortMultipartUpload(r ->
                    r.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
            raw.deleteBucket(r -> r.bucket(bucket));
            raw.close();
            s3.close();
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
