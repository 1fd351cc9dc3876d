package org.ferry.flow;

import java.util.Map;

/**
 * What {@link FetchRemoteMetadata} learned and changed: the remote image's size and digest, which the download must
 * match, and the local image's properties and formats before they were copied over, for its revert.
 *
 * @param md5  the remote checksum, or null when the remote hash ({@code hash}) is checked instead
 * @param hash the remote os_hash_value when it uses Ferry's hashing algorithm, else null
 */
public record RemoteImage(long size, String md5, String hash, Map<String, String> propertiesBefore,
                          String diskFormatBefore, String containerFormatBefore) {
    public RemoteImage {
        propertiesBefore = Map.copyOf(propertiesBefore);
    }
}
