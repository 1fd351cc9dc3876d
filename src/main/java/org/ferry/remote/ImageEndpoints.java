package org.ferry.remote;

import org.ferry.auth.RequestContext;

import java.util.List;
import java.util.Locale;

/**
 * Finds a region's image endpoint in the caller's service catalog (service type image, region matched
 * case-insensitively, the requested interface) and normalises it to the API root: a trailing /v2 is dropped.
 */
public final class ImageEndpoints {
    private ImageEndpoints() {
    }

    public static String resolve(List<RequestContext.CatalogEndpoint> catalog, String region, String iface)
            throws RemoteFailure {
        for (RequestContext.CatalogEndpoint e : catalog) {
            if ("image".equals(e.serviceType()) && e.region() != null && e.region().equalsIgnoreCase(region)
                    && e.iface() != null && e.iface().equalsIgnoreCase(iface) && e.url() != null) {
                return normalise(e.url());
            }
        }
        throw new RemoteFailure("no image endpoint for region " + region + ", interface " + iface
                + " in the token's catalog");
    }

    static String normalise(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.matches(".*/v2(\\.\\d+)?$")) {
            u = u.substring(0, u.lastIndexOf('/'));
        }
        return u;
    }
}
