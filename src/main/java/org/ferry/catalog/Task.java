package org.ferry.catalog;

import java.time.Instant;

/** A task row: an import or internal copy, with Glance's fields. {@code input} and {@code result} are JSON text. */
public record Task(String id, String type, String status, String owner, String imageId, String requestId, String userId,
                   String input, String result, String message, Instant expiresAt, Instant createdAt,
                   Instant updatedAt) {
    public static final String PENDING = "pending";
    public static final String PROCESSING = "processing";
    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";

    public boolean finished() {
        return SUCCESS.equals(status) || FAILURE.equals(status);
    }
}
