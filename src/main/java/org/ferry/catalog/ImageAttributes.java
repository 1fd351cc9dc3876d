package org.ferry.catalog;

import java.util.Set;

/** Which image attribute names the API treats how: Glance's read-only, reserved and core lists. */
public final class ImageAttributes {
    /** Core attributes that are columns, not extra properties. */
    public static final Set<String> CORE = Set.of("id", "name", "status", "visibility", "protected", "os_hidden",
            "owner", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size", "disk_format",
            "container_format", "min_disk", "min_ram", "created_at", "updated_at", "tags", "locations", "direct_url",
            "self", "file", "schema", "stores");
    /** Refused in a create body as read-only (the disallowed keys and ImageFactory's read-only list). */
    public static final Set<String> CREATE_DISALLOWED = Set.of("direct_url", "self", "file", "schema", "stores");
    public static final Set<String> CREATE_READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum",
            "size", "virtual_size", "os_hash_algo", "os_hash_value");
    /** Read-only for PATCH. */
    public static final Set<String> PATCH_READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum",
            "size", "virtual_size", "os_hash_algo", "os_hash_value", "id", "direct_url", "self", "file", "schema",
            "stores");
    public static final Set<String> RESERVED = Set.of("location", "deleted", "deleted_at");

    private ImageAttributes() {
    }

    public static boolean isReserved(String name) {
        return name.startsWith("os_glance") || RESERVED.contains(name);
    }

    /** True when the text has a character outside the Basic Multilingual Plane (4 bytes in UTF-8). */
    public static boolean hasFourByteChars(String s) {
        return s != null && s.codePoints().anyMatch(c -> c > 0xFFFF);
    }
}
