package org.ferry.catalog;

import java.time.Instant;

/** One project an image is shared with, and whether that project accepted it. */
public record Member(String imageId, String memberId, String status, Instant createdAt, Instant updatedAt) {
    public static final String PENDING = "pending";
    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";

    public static boolean validStatus(String s) {
        return PENDING.equals(s) || ACCEPTED.equals(s) || REJECTED.equals(s);
    }
}
