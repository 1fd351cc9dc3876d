package org.ferry.store.swift;

import org.ferry.store.LocationUrls;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * A swift location, in one of Glance's forms:
 * <ul>
 *   <li>{@code swift+config://<reference>/<container>/<object>}: the account is a reference of the store's
 *       configuration; what Ferry writes (and Glance, with swift_store_config_file);</li>
 *   <li>{@code swift+http://<user>:<key>@<auth address>/<container>/<object>} ({@code swift://} and
 *       {@code swift+https://} for an https auth address): Glance without a config file puts the account's
 *       credentials into the location; Ferry reads such locations and never shows the credentials;</li>
 *   <li>the same without credentials, where the address is a storage URL (Glance's multi-tenant store).</li>
 * </ul>
 *
 * @param reference the reference name of a {@code swift+config} location, else null
 * @param user      the location's user ({@code project:user}), unescaped; null when it has none
 * @param key       the location's key, unescaped; null when it has none
 * @param address   the auth address or storage URL without scheme ({@code host[:port]/path}); null for swift+config
 */
public record SwiftLocation(String scheme, String reference, String user, String key, String address,
                            String container, String object) {

    /** The parts of a swift URL, or empty when it is not one Glance would parse. */
    public static Optional<SwiftLocation> parse(String url) {
        if (url == null) {
            return Optional.empty();
        }
        int sep = url.indexOf("://");
        if (sep < 0 || url.indexOf("://", sep + 3) >= 0) {
            return Optional.empty(); // Glance: "URI cannot contain more than one occurrence of a scheme"
        }
        String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("swift") && !scheme.equals("swift+http") && !scheme.equals("swift+https")
                && !scheme.equals("swift+config")) {
            return Optional.empty();
        }
        String rest = url.substring(sep + 3);
        String user = null;
        String key = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0 && !scheme.equals("swift+config")) {
            String creds = rest.substring(0, at);
            int colon = creds.lastIndexOf(':');
            if (colon <= 0) {
                return Optional.empty(); // Glance: "Badly formed credentials in Swift URI."
            }
            user = unescape(creds.substring(0, colon));
            key = unescape(creds.substring(colon + 1));
            rest = rest.substring(at + 1);
        }
        rest = LocationUrls.stripSlashes(rest);
        int objStart = rest.lastIndexOf('/');
        if (objStart <= 0) {
            return Optional.empty();
        }
        int containerStart = rest.lastIndexOf('/', objStart - 1);
        if (containerStart <= 0) {
            return Optional.empty();
        }
        String head = LocationUrls.stripSlashes(rest.substring(0, containerStart));
        String container = rest.substring(containerStart + 1, objStart);
        String object = rest.substring(objStart + 1);
        if (head.isEmpty() || container.isEmpty() || object.isEmpty()) {
            return Optional.empty();
        }
        if (scheme.equals("swift+config")) {
            if (head.contains("/")) {
                return Optional.empty();
            }
            return Optional.of(new SwiftLocation(scheme, head, null, null, null, container, object));
        }
        return Optional.of(new SwiftLocation(scheme, null, user, key, head, container, object));
    }

    /** A location Ferry writes: by reference, without credentials. */
    public static SwiftLocation ofReference(String reference, String container, String object) {
        return new SwiftLocation("swift+config", reference, null, null, null, container, object);
    }

    /**
     * A location of the multi-tenant store: the object in a container of the account at a storage URL, without
     * credentials ({@code swift+http://} or {@code swift+https://} as the storage URL's scheme, as Glance writes).
     */
    public static SwiftLocation ofStorageUrl(okhttp3.HttpUrl storageUrl, String container, String object) {
        String url = storageUrl.toString();
        String scheme = storageUrl.isHttps() ? "swift+https" : "swift+http";
        String address = LocationUrls.stripSlashes(url.substring(url.indexOf("://") + 3));
        return new SwiftLocation(scheme, null, null, null, address, container, object);
    }

    /** A location without credentials whose address is a storage URL (Glance's multi-tenant store). */
    public boolean atStorageUrl() {
        return reference == null && user == null;
    }

    public boolean byReference() {
        return reference != null;
    }

    /** The auth address or storage URL with its scheme: https unless the location says swift+http. */
    public String addressUrl() {
        if (address == null) {
            return null;
        }
        return (scheme.equals("swift+http") ? "http://" : "https://") + address;
    }

    /** The URL of a location by reference or at a storage URL (the forms Ferry writes: never credentials). */
    public String url() {
        if (!byReference() && !atStorageUrl()) {
            throw new IllegalStateException("Ferry never writes a location with credentials");
        }
        return scheme + "://" + (byReference() ? reference : address) + "/" + container + "/" + object;
    }

    /** Never shows the credentials. */
    @Override
    public String toString() {
        return byReference() ? url() : scheme + "://" + (user == null ? "" : "***@") + address + "/" + container + "/"
                + object;
    }

    private static String unescape(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
