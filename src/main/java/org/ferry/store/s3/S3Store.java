package org.ferry.store.s3;

import org.ferry.store.DriverOptions;
import org.ferry.store.LocationUrls;
import org.ferry.store.S3StoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Glance's s3 store: each image is the object named by the image id in {@code s3_store_bucket}; its location is
 * {@code s3://<host>/<bucket>/<image id>} ({@code s3+https://} for an https endpoint), without Glance's credentials.
 * Images of at most one part are one PUT, larger ones a multipart upload (see {@link S3Write}); an upload a crash cut
 * short stays invisible in S3 until the start-up sweep aborts it.
 */
public final class S3Store implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);
    /** The most part buffers one write holds, in bytes: with 10 MiB parts, 6 uploading and 1 filling. */
    static final long PART_MEMORY = 64L << 20;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final StoreSettings settings;
    private final S3StoreOptions options;
    private final S3Client s3;
    private final ExecutorService uploads;
    private volatile boolean bucketKnown;

    public S3Store(StoreSettings settings, S3StoreOptions options) {
        this.settings = settings;
        this.options = options;
        this.s3 = S3Clients.build(options);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(options.threadPools(), options.threadPools(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ferry-s3-" + settings.id() + "-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.uploads = pool;
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public DriverOptions options() {
        return options;
    }

    /** As Glance's discovery API: sizes in bytes. */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("s3_store_large_object_size", options.largeObjectSizeBytes());
        p.put("s3_store_large_object_chunk_size", (long) options.chunkSizeBytes());
        p.put("s3_store_thread_pools", options.threadPools());
        return p;
    }

    public String urlOf(String imageId) {
        return new S3Location(options.locationScheme(), options.locationHost(), options.bucket(), imageId).url();
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        return beginWrite(imageId, -1);
    }

    @Override
    public StoreWrite beginWrite(String imageId, long expectedSize) throws IOException {
        ensureBucket();
        int partSize = options.chunkSizeBytes();
        if (expectedSize > (long) partSize * S3Write.MAX_PARTS) {
            // as Glance: parts grow so that the image fits in S3's 10 000 (whole MiB, at least the configured size)
            long needed = (expectedSize + S3Write.MAX_PARTS - 1) / S3Write.MAX_PARTS;
            long mib = (needed + (1 << 20) - 1) >> 20;
            if (mib > 5 * 1024) {
                throw new IOException("an image of " + expectedSize + " bytes is larger than S3 can hold");
            }
            partSize = (int) (mib << 20);
        }
        int inFlight = (int) Math.max(1, Math.min(options.threadPools(), PART_MEMORY / partSize - 1));
        return new S3Write(s3, uploads, options.bucket(), imageId, urlOf(imageId), partSize, inFlight);
    }

    /** The bucket exists, or is created when s3_store_create_bucket_on_put says so (Glance's message otherwise). */
    private void ensureBucket() throws IOException {
        if (bucketKnown) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(options.bucket()));
        } catch (NoSuchBucketException e) {
            create();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("looking for bucket " + options.bucket(), e);
            }
            create();
        } catch (SdkException e) {
            throw failure("looking for bucket " + options.bucket(), e);
        }
        bucketKnown = true;
    }

    private void create() throws IOException {
        if (!options.createBucketOnPut()) {
            throw new IOException("The bucket " + options.bucket() + " does not exist in S3. Please set the "
                    + "s3_store_create_bucket_on_put option to add bucket to S3 automatically.");
        }
        try {
            s3.createBucket(b -> b.bucket(options.bucket()));
            LOG.info("store {}: created bucket {}", id(), options.bucket());
        } catch (S3Exception e) {
            if (!"BucketAlreadyOwnedByYou".equals(errorCode(e))) {
                throw failure("creating bucket " + options.bucket(), e);
            }
        } catch (SdkException e) {
            throw failure("creating bucket " + options.bucket(), e);
        }
    }

    /** An s3 URL of this store's endpoint and bucket, in Ferry's form or Glance's (with credentials). */
    @Override
    public boolean owns(String url) {
        return S3Location.parse(url).filter(l -> l.host().equalsIgnoreCase(options.locationHost())
                && l.bucket().equals(options.bucket())).isPresent();
    }

    /** Ferry's form has no keys: the store's own are used (Glance's form names them, and they are ignored too). */
    @Override
    public boolean readsWithItsOwnAccess(String url) {
        return true;
    }

    private S3Location ownLocation(String url) throws IOException {
        return S3Location.parse(url).filter(l -> owns(url))
                .orElseThrow(() -> new IOException("store " + id() + " does not serve " + LocationUrls.shown(url)));
    }

    @Override
    public StoreData open(String url) throws IOException {
        S3Location l = ownLocation(url);
        long size;
        try {
            size = s3.headObject(b -> b.bucket(l.bucket()).key(l.key())).contentLength();
        } catch (NoSuchKeyException e) {
            throw new FileNotFoundException("no object " + l.key() + " in bucket " + l.bucket());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new FileNotFoundException("no object " + l.key() + " in bucket " + l.bucket());
            }
            throw failure("reading " + l.key(), e);
        } catch (SdkException e) {
            throw failure("reading " + l.key(), e);
        }
        return new StoreData(size, null, new S3ReadStream(s3, l.bucket(), l.key(), size));
    }

    /** Deletes the object; one that is already gone is fine. */
    @Override
    public void delete(String url) throws IOException {
        S3Location l = ownLocation(url);
        try {
            s3.deleteObject(b -> b.bucket(l.bucket()).key(l.key()));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("deleting " + l.key(), e);
            }
        } catch (SdkException e) {
            throw failure("deleting " + l.key(), e);
        }
    }

    /** Aborts the multipart uploads of this image that a stopped Ferry left unfinished. */
    @Override
    public void purgePartials(String imageId) throws IOException {
        for (MultipartUpload u : uploadsOf(imageId)) {
            if (!u.key().equals(imageId)) {
                continue;
            }
            try {
                s3.abortMultipartUpload(b -> b.bucket(options.bucket()).key(u.key()).uploadId(u.uploadId()));
                LOG.info("store {}: aborted the multipart upload of {} an unfinished write left", id(), u.key());
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw failure("aborting the multipart upload of " + u.key(), e);
                }
            } catch (SdkException e) {
                throw failure("aborting the multipart upload of " + u.key(), e);
            }
        }
    }

    /** The keys with multipart uploads in progress in the bucket: writes a crash cut short, or running now. */
    @Override
    public List<String> unfinishedWrites() throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        for (MultipartUpload u : uploadsOf("")) {
            keys.add(u.key());
        }
        return new ArrayList<>(keys);
    }

    private List<MultipartUpload> uploadsOf(String prefix) throws IOException {
        try {
            List<MultipartUpload> out = new ArrayList<>();
            s3.listMultipartUploadsPaginator(b -> b.bucket(options.bucket()).prefix(prefix)).uploads()
                    .forEach(out::add);
            return out;
        } catch (NoSuchBucketException e) {
            return List.of();
        } catch (SdkException e) {
            throw failure("listing the multipart uploads of bucket " + options.bucket(), e);
        }
    }

    /** An SDK failure as an IOException whose message says what S3 answered (never a credential). */
    static IOException failure(String what, SdkException e) {
        return new IOException(what + ": " + describe(e), e);
    }

    static String describe(SdkException e) {
        if (e instanceof S3Exception s) {
            String code = errorCode(s);
            return "S3 answered " + s.statusCode() + (code == null ? "" : " " + code);
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** Closes the client (tests; Ferry keeps its stores until it exits). */
    public void close() {
        uploads.shutdown();
        s3.close();
    }

    @Override
    public String toString() {
        return "s3 store " + id() + " (" + options.endpoint() + ", bucket " + options.bucket() + ")";
    }
}
