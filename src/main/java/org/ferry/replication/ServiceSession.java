package org.ferry.replication;

/**
 * The identity a job acts with: the token for each request (renewed before it expires) and where each region's
 * image endpoint is.
 */
public interface ServiceSession {
    /** The X-Auth-Token to send now, or null without Keystone. */
    String token() throws ReplicationFailure;

    /** The region's image API root (no trailing /v2) for the interface. */
    String imageEndpoint(String region, String iface) throws ReplicationFailure;
}
