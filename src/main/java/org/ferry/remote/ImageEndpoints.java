package org.ferry.remote;

import org.ferry.config.EndpointUrls;
import org.ferry.auth.RequestContext;

import java.util.List;

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
                return EndpointUrls.imageApiRoot(e.url());
            }
        }
        throw new RemoteFailure("no image endpoint for region " + region + ", interface " + iface
                + " in the token's catalog");
    }
}
