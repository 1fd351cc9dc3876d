package org.ferry.store.s3;

import org.ferry.store.LocationUrls;

import java.util.Optional;

/**
 * An s3 location: {@code s3://<host>/<bucket>/<key>}, {@code s3+https://…} for a TLS endpoint. Glance puts the
 * store's access and secret key into the URI ({@code s3://<access>:<secret>@<host>/<bucket>/<key>}), where every
 * user who may see locations reads them; Ferry writes its locations without them and reads both forms, using the
 * store's own credentials either way.
 *
 * @param scheme {@code s3}, {@code s3+http} or {@code s3+https}
 * @param host   the endpoint without scheme, as in {@code s3_store_host} ({@code host[:port][/path]})
 */
public record S3Location(String scheme, String host, String bucket, String key) {
    /** The parts of an s3 URL, or empty when it is not one (Glance's own parser is the model: the key is the last
     * path element, the bucket the one before, and anything before that is the host). */
    public static Optional<S3Location> parse(String url) {
        if (url == null) {
            return Optional.empty();
        }
        int sep = url.indexOf("://");
        if (sep < 0 || url.indexOf("://", sep + 3) >= 0) {
            return Optional.empty();
        }
        String scheme = url.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("s3") && !scheme.equals("s3+http") && !scheme.equals("s3+https")) {
            return Optional.empty();
        }
        String rest = LocationUrls.stripSlashes(url.substring(sep + 3));
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            rest = rest.substring(at + 1); // credentials of Glance's form: never used, never shown
        }
        int keyStart = rest.lastIndexOf('/');
        if (keyStart <= 0) {
            return Optional.empty();
        }
        int bucketStart = rest.lastIndexOf('/', keyStart - 1);
        if (bucketStart <= 0) {
            return Optional.empty();
        }
        String host = LocationUrls.stripSlashes(rest.substring(0, bucketStart));
        String bucket = rest.substring(bucketStart + 1, keyStart);
        String key = rest.substring(keyStart + 1);
        if (host.isEmpty() || bucket.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new S3Location(scheme, host, bucket, key));
    }

    public String url() {
        return scheme + "://" + host + "/" + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return url();
    }
}
