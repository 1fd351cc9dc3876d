package org.ferry.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What GET /v2/tasks asked for, already validated: equality filters on task columns, one sort key (created_at and
 * id follow it, in the same direction, as Glance pages), the marker task and the page size. Tasks that have expired
 * at {@code now} are never listed; a caller that is not admin sees only its project's tasks.
 */
public record TaskListQuery(String callerProject, boolean admin, Map<String, String> filters, String sortKey,
                            boolean ascending, Task marker, int limit, Instant now) {

    /** Columns Glance's task model has, which it accepts as sort keys. */
    public static final List<String> SORT_KEYS = List.of("id", "type", "status", "owner", "image_id", "request_id",
            "user_id", "expires_at", "created_at", "updated_at", "deleted_at", "deleted");

    /**
     * Columns a {@code key=value} query parameter filters on exactly (Glance filters on any task column; the
     * timestamps are left out because their text never equals a stored value).
     */
    public static final List<String> FILTER_COLUMNS = List.of("id", "type", "status", "owner", "image_id",
            "request_id", "user_id");
}
