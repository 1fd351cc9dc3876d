package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.store.s3.S3Store;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * glance_store's s3 driver options, under Glance's names and with its defaults and limits.
 *
 * @param host                 s3_store_host: {@code host[:port]}, with {@code http://} (the default) or
 *                             {@code https://}
 * @param accessKey            s3_store_access_key
 * @param secretKey            s3_store_secret_key (never logged, never in a location)
 * @param bucket               s3_store_bucket
 * @param createBucketOnPut    s3_store_create_bucket_on_put
 * @param bucketUrlFormat      s3_store_bucket_url_format: {@code auto}, {@code path} or {@code virtual}
 * @param largeObjectSizeMiB   s3_store_large_object_size: images of at least this size (or of unknown size) are
 *                             written as a multipart upload
 * @param chunkSizeMiB         s3_store_large_object_chunk_size: the part size (at least 5 MiB, S3's minimum)
 * @param threadPools          s3_store_thread_pools: parts uploaded at once
 * @param cacert               s3_store_cacert: a CA bundle for an https endpoint; empty: the JVM's trust store
 * @param regionName           s3_store_region_name; empty: {@code us-east-1}, which S3-compatible servers accept
 */
public record S3StoreOptions(String host, String accessKey, String secretKey, String bucket,
                             boolean createBucketOnPut, String bucketUrlFormat, int largeObjectSizeMiB,
                             int chunkSizeMiB, int threadPools, String cacert, String regionName)
        implements DriverOptions {
    private static final Set<String> URL_FORMATS = Set.of("auto", "path", "virtual");

    public static S3StoreOptions read(ConfigReader r, String section, Path baseDir) {
        String format = r.string(section, "s3_store_bucket_url_format", "auto").toLowerCase(Locale.ROOT);
        if (!URL_FORMATS.contains(format)) {
            throw ConfigException.badValue(section, "s3_store_bucket_url_format", format,
                    "must be one of auto, path, virtual");
        }
        String cacert = r.string(section, "s3_store_cacert", "");
        return new S3StoreOptions(required(r, section, "s3_store_host"), required(r, section, "s3_store_access_key"),
                required(r, section, "s3_store_secret_key"), required(r, section, "s3_store_bucket"),
                r.bool(section, "s3_store_create_bucket_on_put", false), format,
                r.integer(section, "s3_store_large_object_size", 100, 0),
                r.integer(section, "s3_store_large_object_chunk_size", 10, 5, 5 * 1024),
                r.integer(section, "s3_store_thread_pools", 10, 1),
                cacert.isEmpty() ? "" : baseDir.resolve(cacert).normalize().toString(),
                r.string(section, "s3_store_region_name", ""));
    }

    private static String required(ConfigReader r, String section, String option) {
        String v = r.string(section, option, "");
        if (v.isBlank()) {
            throw new ConfigException("[" + section + "] " + option + " is required by the s3 store "
                    + "(Glance: \"Could not find " + option + " in configuration options.\")");
        }
        return v.strip();
    }

    /** The endpoint URL the client talks to: s3_store_host with {@code http://} when it names no scheme. */
    public String endpoint() {
        String h = host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
        return h.startsWith("http://") || h.startsWith("https://") ? h : "http://" + h;
    }

    /** The host as locations name it: without scheme and trailing slash. */
    public String locationHost() {
        String e = endpoint();
        return e.substring(e.indexOf("://") + 3);
    }

    /** The location scheme: {@code s3+https} for an https endpoint, else {@code s3} (as Glance). */
    public String locationScheme() {
        return endpoint().startsWith("https://") ? "s3+https" : "s3";
    }

    public long largeObjectSizeBytes() {
        return (long) largeObjectSizeMiB << 20;
    }

    public int chunkSizeBytes() {
        return chunkSizeMiB << 20;
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Store open(StoreSettings settings, OkHttpClient http) {
        return new S3Store(settings, this);
    }

    /** Never prints the secret key (a record's own toString would). */
    @Override
    public String toString() {
        return "S3StoreOptions[host=" + host + ", accessKey=" + accessKey + ", secretKey=***, bucket=" + bucket
                + ", bucketUrlFormat=" + bucketUrlFormat + "]";
    }
}
