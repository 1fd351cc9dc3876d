package org.ferry.store;

/**
 * How a location URL may be shown. Glance writes an s3 (and swift) store's credentials into the location itself
 * ({@code s3://<access>:<secret>@<host>/…}); Ferry never does, but reads such locations, and never shows their
 * credentials in an answer, a task message or a log: the {@code user:password@} part becomes {@code ***@}.
 */
public final class LocationUrls {
    private LocationUrls() {
    }

    /** The URL with the password part of its user information hidden; others unchanged. */
    public static String shown(String url) {
        if (url == null) {
            return null;
        }
        int sep = url.indexOf("://");
        if (sep < 0) {
            return url;
        }
        int pathStart = sep + 3;
        int at = url.lastIndexOf('@');
        if (at < pathStart) {
            return url;
        }
        // a secret may hold '/', so the user information runs to the last '@', as Glance parses it
        String userInfo = url.substring(pathStart, at);
        if (userInfo.indexOf(':') < 0 || userInfo.equals("***")) {
            return url;
        }
        return url.substring(0, pathStart) + "***" + url.substring(at);
    }

    /** The text without leading and trailing slashes (Glance strips them off a location's parts). */
    public static String stripSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }
}
