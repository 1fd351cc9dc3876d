package org.ferry.config;

import java.util.Locale;

/**
 * The one place endpoint URLs from configuration and service catalogs are normalised, so every caller joins paths
 * onto the same form: no surrounding blanks and no trailing slash; an image endpoint also without its version
 * suffix (catalogs carry {@code .../image/v2} as often as the API root); a Keystone auth URL with {@code /v3}.
 */
public final class EndpointUrls {
    private EndpointUrls() {
    }

    /** The URL without surrounding blanks and trailing slashes, ready for a path to be appended. */
    public static String trimmed(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** An image endpoint as the API root: trimmed, and a trailing {@code /v2} (or {@code /v2.x}) dropped. */
    public static String imageApiRoot(String url) {
        String u = trimmed(url);
        if (u.toLowerCase(Locale.ROOT).matches(".*/v2(\\.\\d+)?$")) {
            u = u.substring(0, u.lastIndexOf('/'));
        }
        return u;
    }

    /** A Keystone auth URL as its v3 root (auth_url is written with and without the version). */
    public static String keystoneV3(String authUrl) {
        String u = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
        return u.endsWith("/v3") ? u : u + "/v3";
    }
}
