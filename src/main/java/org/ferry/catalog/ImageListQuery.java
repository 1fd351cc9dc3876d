package org.ferry.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What GET /v2/images asked for, already validated: the catalog turns it into one keyset-paged query. */
public record ImageListQuery(
        String callerProject,
        boolean admin,
        String visibility,
        String memberStatus,
        boolean osHidden,
        Map<String, List<String>> coreFilters,
        Map<String, String> propertyFilters,
        List<String> tags,
        Long sizeMin,
        Long sizeMax,
        List<DateFilter> dateFilters,
        Boolean protectedFilter,
        List<SortKey> sort,
        Image marker,
        int limit) {

    public static final List<String> SORT_KEYS =
            List.of("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at");

    /** Core columns a plain {@code key=value} filter may match exactly. */
    public static final List<String> FILTER_COLUMNS = List.of("name", "id", "status", "container_format",
            "disk_format", "owner", "size", "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram",
            "virtual_size");

    public record SortKey(String column, boolean ascending) {
    }

    /** {@code created_at=gt:2020-01-01T00:00:00Z} and friends. */
    public record DateFilter(String column, String op, Instant value) {
    }
}
