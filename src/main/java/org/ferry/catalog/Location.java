package org.ferry.catalog;

import java.util.Map;

/** Where one copy of an image's data lives: a URL in a store, with Glance's free-form metadata. */
public record Location(long id, String url, Map<String, Object> metadata, String storeId, String status) {
    public static final String ACTIVE = "active";

    public Location {
        metadata = Map.copyOf(metadata);
    }

    public boolean isActive() {
        return ACTIVE.equals(status);
    }
}
