package org.ferry.replication.clients;

import org.ferry.config.EndpointUrls;

import java.util.Map;

/** No Keystone: no token, and region endpoints from [glance_download_regions] (region matched case-insensitively). */
public final class StaticSession implements ServiceSession {
    private final Map<String, Map<String, String>> regions;

    public StaticSession(Map<String, Map<String, String>> regions) {
        this.regions = Map.copyOf(regions);
    }

    @Override
    public String token() {
        return null;
    }

    @Override
    public String imageEndpoint(String region, String iface) throws ReplicationFailure {
        for (var e : regions.entrySet()) {
            if (e.getKey().equalsIgnoreCase(region) && e.getValue().containsKey(iface)) {
                return EndpointUrls.imageApiRoot(e.getValue().get(iface));
            }
        }
        throw new ReplicationFailure("region " + region + " (" + iface + ") is not in [glance_download_regions]");
    }
}
