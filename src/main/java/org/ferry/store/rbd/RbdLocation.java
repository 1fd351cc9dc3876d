package org.ferry.store.rbd;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An rbd location as Glance writes it, {@code rbd://<fsid>/<pool>/<image>/<snapshot>}, each part URL-quoted. Nova
 * and Cinder parse this form to clone the snapshot instead of copying the image; Ferry accepts only this form
 * (Glance's old {@code rbd://<image>} names no cluster or pool).
 */
public record RbdLocation(String fsid, String pool, String image, String snapshot) {
    private static final String SCHEME = "rbd://";

    /** The parts of an rbd:// URL, or empty when it is not one of the four-part form. */
    public static Optional<RbdLocation> parse(String url) {
        if (url == null || !url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String[] parts = url.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new RbdLocation(unquote(parts[0]), unquote(parts[1]), unquote(parts[2]),
                    unquote(parts[3])));
        } catch (IllegalArgumentException e) { // a bad %-escape
            return Optional.empty();
        }
    }

    public String url() {
        return SCHEME + quote(fsid) + "/" + quote(pool) + "/" + quote(image) + "/" + quote(snapshot);
    }

    @Override
    public String toString() {
        return url();
    }

    private static String unquote(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
