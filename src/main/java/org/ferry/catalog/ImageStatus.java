package org.ferry.catalog;

import java.util.Map;
import java.util.Set;

/** Glance's image state machine (glance/domain Image.valid_state_targets). */
public final class ImageStatus {
    public static final String QUEUED = "queued";
    public static final String SAVING = "saving";
    public static final String UPLOADING = "uploading";
    public static final String IMPORTING = "importing";
    public static final String ACTIVE = "active";
    public static final String DEACTIVATED = "deactivated";
    public static final String PENDING_DELETE = "pending_delete";
    public static final String KILLED = "killed";
    public static final String DELETED = "deleted";

    private static final Map<String, Set<String>> TARGETS = Map.of(
            QUEUED, Set.of(SAVING, UPLOADING, IMPORTING, ACTIVE, DELETED),
            SAVING, Set.of(ACTIVE, KILLED, DELETED, QUEUED),
            UPLOADING, Set.of(IMPORTING, QUEUED, DELETED),
            IMPORTING, Set.of(ACTIVE, DELETED, QUEUED),
            ACTIVE, Set.of(PENDING_DELETE, DELETED, DEACTIVATED),
            DEACTIVATED, Set.of(ACTIVE, DELETED),
            PENDING_DELETE, Set.of(DELETED, ACTIVE),
            KILLED, Set.of(DELETED),
            DELETED, Set.of());

    private ImageStatus() {
    }

    public static boolean canMove(String from, String to) {
        return from.equals(to) || TARGETS.getOrDefault(from, Set.of()).contains(to);
    }

    /** Moving data-bearing statuses requires both formats, as Glance checks before saving data. */
    public static boolean needsFormats(String from, String to) {
        return (QUEUED.equals(from) || UPLOADING.equals(from))
                && (SAVING.equals(to) || ACTIVE.equals(to) || IMPORTING.equals(to));
    }
}
