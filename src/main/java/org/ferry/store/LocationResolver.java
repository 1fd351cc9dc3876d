package org.ferry.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Glance's check of a location someone else wrote ({@code glance/location.py _check_location_uri}): a configured
 * store must serve the URL and must find data there (size above zero). Glance refuses {@code file://} locations
 * altogether; Ferry accepts them only inside a file store's directory and only from a trusted caller (admin or
 * service role), because any file there belongs to some image.
 */
public final class LocationResolver {
    private final StoreRegistry stores;

    public LocationResolver(StoreRegistry stores) {
        this.stores = stores;
    }

    /** A location that passed the check: the store that serves it and the size of its data. */
    public record Resolved(Store store, long size) {
    }

    /** Why a location was refused; Glance's text is "Invalid location". */
    public static final class InvalidLocation extends Exception {
        public InvalidLocation(String url, String reason) {
            super("Invalid location: " + LocationUrls.shown(url) + " (" + reason + ")");
        }
    }

    /** The store that would serve the URL, without looking at the data. */
    public Optional<Store> storeFor(String url) {
        return stores.forLocation(null, url);
    }

    public static String scheme(String url) {
        try {
            String s = new URI(url).getScheme();
            return s == null ? "" : s.toLowerCase(Locale.ROOT);
        } catch (URISyntaxException | NullPointerException e) {
            int c = url == null ? -1 : url.indexOf(':');
            return c <= 0 ? "" : url.substring(0, c).toLowerCase(Locale.ROOT);
        }
    }

    /** The URL schemes a location may have, and the driver that serves each. */
    private static final Map<String, String> SCHEME_DRIVERS = Map.ofEntries(Map.entry("http", "http"),
            Map.entry("https", "http"), Map.entry("file", "file"), Map.entry("rbd", "rbd"), Map.entry("s3", "s3"),
            Map.entry("s3+http", "s3"), Map.entry("s3+https", "s3"), Map.entry("swift", "swift"),
            Map.entry("swift+http", "swift"), Map.entry("swift+https", "swift"), Map.entry("swift+config", "swift"));

    public Resolved resolve(String url, boolean trusted) throws InvalidLocation {
        String scheme = scheme(url);
        String driver = SCHEME_DRIVERS.get(scheme);
        if (driver == null) {
            throw new InvalidLocation(url, "unknown scheme '" + scheme + "'");
        }
        if (scheme.equals("file") && !trusted) {
            throw new InvalidLocation(url, "file locations may be registered by an admin or a service only");
        }
        Store store = storeFor(url).orElseThrow(() -> new InvalidLocation(url, notServed(driver)));
        if (!trusted && store.readsWithItsOwnAccess(url)) {
            throw new InvalidLocation(url, "store " + store.id() + " reads it with its own credentials, so it may be "
                    + "registered by an admin or a service only");
        }
        long size;
        try {
            if (store instanceof HttpStore http) {
                size = http.size(url);
            } else {
                try (Store.StoreData d = store.open(url)) {
                    size = d.size();
                }
            }
        } catch (IOException e) {
            throw new InvalidLocation(url, "store " + store.id() + " cannot read it: " + e.getMessage());
        }
        if (size <= 0) {
            throw new InvalidLocation(url, size == 0 ? "no data there" : "store " + store.id() + " cannot tell its size");
        }
        return new Resolved(store, size);
    }

    /**
     * Refuses at once a location that no configured store could serve, for a scheme whose stores can say so without
     * reading any data (rbd: the cluster's fsid and the pool); other locations are checked when their data is read.
     */
    public void requireServedNow(String url) throws InvalidLocation {
        String driver = SCHEME_DRIVERS.get(scheme(url));
        if ("rbd".equals(driver) && storeFor(url).isEmpty()) {
            throw new InvalidLocation(url, notServed(driver));
        }
    }

    /** Why no store serves a URL of a known scheme. */
    private String notServed(String driver) {
        boolean configured = stores.all().stream().anyMatch(s -> s.type().equals(driver));
        return switch (driver) {
            case "file" -> "not inside the directory of a file store";
            case "rbd" -> configured ? "not in the pool of a configured rbd store of the same Ceph cluster (fsid)"
                    : "no rbd store is configured";
            default -> "no " + driver + " store is configured";
        };
    }
}
