package org.ferry.replication.clients;

import okhttp3.OkHttpClient;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.RemoteFailure;

/**
 * The identity a job acts with: the token for each request (renewed before it expires) and where each region's
 * image endpoint is.
 */
public interface ServiceSession {
    /** The X-Auth-Token to send now, or null without Keystone. */
    String token() throws ReplicationFailure;

    /** The region's image API root (no trailing /v2) for the interface. */
    String imageEndpoint(String region, String iface) throws ReplicationFailure;

    /** A client of the region's Glance at {@code root}, acting as this identity with the run's request id. */
    default GlanceClient glance(OkHttpClient http, String root, String region, String requestId) {
        return GlanceClient.forService(http, () -> {
            try {
                return token();
            } catch (ReplicationFailure e) {
                throw new RemoteFailure(e.getMessage(), e);
            }
        }, root, region, requestId);
    }
}
