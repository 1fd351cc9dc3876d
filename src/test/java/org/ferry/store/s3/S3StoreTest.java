package org.ferry.store.s3;

import org.ferry.store.S3StoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.testing.TestS3;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.testing.StoreIo.read;
import static org.ferry.testing.StoreIo.write;
import static org.ferry.testing.StoreIo.writeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The s3 store against the Ceph lab's radosgw (a real S3): one bucket per test, removed with all it holds.
 * {@link S3StoreOnSwiftS3ApiTest} runs the same tests against Swift's s3api, a second S3 implementation.
 */
class S3StoreTest {
    private static final int MIB = 1 << 20;

    private TestS3 lab;
    private String bucket;
    private S3Store store;
    private S3Client raw;

    @BeforeEach
    void connect() {
        lab = lab();
        bucket = "ferry-test-" + UUID.randomUUID().toString().substring(0, 8);
        store = store(bucket, true, 2);
        raw = lab.client();
    }

    /** The S3 the tests run against: radosgw; a subclass runs them against another implementation. */
    TestS3 lab() {
        return TestS3.lab();
    }

    private S3StoreOptions options(String b, boolean create, int threads) {
        return new S3StoreOptions(lab.endpoint(), lab.accessKey(), lab.secretKey(), b, create, "auto", 100, 5,
                threads, "", "");
    }

    private S3Store store(String b, boolean create, int threads) {
        return new S3Store(new StoreSettings("s3", Optional.empty(), 0), options(b, create, threads));
    }

    @AfterEach
    void removeBucket() {
        try {
            for (MultipartUpload u : uploads()) {
                raw.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
            }
            for (S3Object o : raw.listObjectsV2Paginator(r -> r.bucket(bucket)).contents()) {
                raw.deleteObject(r -> r.bucket(bucket).key(o.key()));
            }
            raw.deleteBucket(r -> r.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException ignored) {
            // the test made none
        } finally {
            store.close();
            raw.close();
        }
    }

    private List<MultipartUpload> uploads() {
        List<MultipartUpload> out = new ArrayList<>();
        raw.listMultipartUploadsPaginator(r -> r.bucket(bucket)).uploads().forEach(out::add);
        return out;
    }

    private List<String> objects() {
        List<String> out = new ArrayList<>();
        raw.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().forEach(o -> out.add(o.key()));
        return out;
    }





    @Test
    void writesSmallAndLargeImagesAtGlancesLocationAndReadsThemWholeAndFromAnOffset() throws Exception {
        for (int size : new int[]{0, 1, 5 * MIB - 1, 5 * MIB, 5 * MIB + 1, 17 * MIB + 3}) {
            for (long expected : new long[]{size, -1}) {
                String id = UUID.randomUUID().toString();
                byte[] data = random(size, size);
                String url = write(store, id, data, expected);
                assertEquals("s3://" + lab.endpoint().replace("http://", "") + "/" + bucket + "/" + id, url);
                assertTrue(store.owns(url));
                try (Store.StoreData d = store.open(url)) {
                    assertEquals(size, d.size());
                }
                assertArrayEquals(data, read(store, url, 0), "size " + size);
                if (size > 3) {
                    long from = size / 3;
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) from, size), read(store, url, from));
                }
            }
        }
        assertEquals(List.of(), uploads(), "every multipart upload was completed");
    }

    @Test
    void anAbortedWriteLeavesNoObjectAndNoUpload() throws Exception {
        String id = UUID.randomUUID().toString();
        StoreWrite w = store.beginWrite(id, -1);
        writeAll(w, random(12 * MIB, 1)); // two parts sent, one filling
        assertEquals(1, uploads().size());
        w.abort();
        assertEquals(List.of(), uploads());
        assertFalse(objects().contains(id));
        assertThrows(IOException.class, () -> w.channel().write(ByteBuffer.allocate(1)));
        w.abort(); // again: nothing happens
    }

    @Test
    void aWriteThatFailsAbortsItsUpload() throws Exception {
        String id = UUID.randomUUID().toString();
        StoreWrite w = store.beginWrite(id, -1);
        writeAll(w, random(11 * MIB, 2));
        for (MultipartUpload u : uploads()) { // S3 loses the upload under the writer
            raw.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
        }
        IOException e = assertThrows(IOException.class, () -> {
            writeAll(w, random(30 * MIB, 3));
            w.commit();
        });
        assertTrue(e.getMessage().contains("S3 answered 404"), e.getMessage());
        w.abort();
        assertEquals(List.of(), uploads());
        assertFalse(objects().contains(id));
    }

    @Test
    void aCrashedMultipartUploadIsFoundAndAborted() throws Exception {
        String id = UUID.randomUUID().toString();
        store.beginWrite(UUID.randomUUID().toString(), 0).abort(); // makes the bucket
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), S3CrashWriter.class.getName(), lab.endpoint(),
                lab.accessKey(), lab.secretKey(), bucket, id, "2");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals("written", line, "the writer failed before it was killed");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertEquals(List.of(id), store.unfinishedWrites());
        store.purgePartials(UUID.randomUUID().toString()); // another image's: nothing happens
        assertEquals(1, uploads().size());
        store.purgePartials(id);
        assertEquals(List.of(), uploads());
        assertEquals(List.of(), store.unfinishedWrites());
        assertFalse(objects().contains(id));
    }

    @Test
    void deletesAndAMissingObjectIsNotFound() throws Exception {
        String id = UUID.randomUUID().toString();
        String url = write(store, id, random(MIB, 4), MIB);
        store.delete(url);
        assertFalse(objects().contains(id));
        store.delete(url); // already gone: fine
        assertThrows(FileNotFoundException.class, () -> store.open(url));
    }

    @Test
    void withoutCreateBucketOnPutAMissingBucketIsGlancesError() {
        S3Store strict = store(bucket, false, 1);
        try {
            IOException e = assertThrows(IOException.class, () -> strict.beginWrite("x", 1));
            assertEquals("The bucket " + bucket + " does not exist in S3. Please set the "
                    + "s3_store_create_bucket_on_put option to add bucket to S3 automatically.", e.getMessage());
        } finally {
            strict.close();
        }
    }

    @Test
    void ownsItsBucketInFerrysAndGlancesFormOnly() throws Exception {
        String host = lab.endpoint().replace("http://", "");
        assertTrue(store.owns("s3://" + host + "/" + bucket + "/abc"));
        assertTrue(store.owns("s3://AK:se/cret@" + host + "/" + bucket + "/abc"), "Glance's form, with credentials");
        assertFalse(store.owns("s3://" + host + "/other/abc"));
        assertFalse(store.owns("s3://elsewhere:7480/" + bucket + "/abc"));
        assertFalse(store.owns("rbd://a/b/c/d"));
        // an image Glance wrote (its location carries the keys) reads with the store's own credentials
        String id = UUID.randomUUID().toString();
        byte[] data = random(3 * MIB, 5);
        write(store, id, data, data.length);
        assertArrayEquals(data, read(store, "s3://WRONG:KEY@" + host + "/" + bucket + "/" + id, 0));
        assertEquals("s3://***@" + host + "/b/k", org.ferry.store.LocationUrls.shown("s3://AK:SK@" + host + "/b/k"));
    }

    @Test
    void showsGlancesDiscoveryPropertiesAndNeverItsSecret() {
        assertEquals(java.util.Map.of("s3_store_large_object_size", 100L * MIB,
                "s3_store_large_object_chunk_size", 5L * MIB, "s3_store_thread_pools", 2), store.properties());
        assertFalse(options(bucket, true, 2).toString().contains(lab.secretKey()));
    }
}
