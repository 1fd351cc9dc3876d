package org.ferry.flow;

import org.ferry.catalog.Image;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The import bookkeeping properties {@code os_glance_importing_to_stores} and {@code os_glance_failed_import}: sorted
 * comma lists that stay present as "" when empty (tempest's waiters read them).
 */
public final class StoreLists {
    public static final String IMPORTING = "os_glance_importing_to_stores";
    public static final String FAILED = "os_glance_failed_import";
    public static final String LOCK = "os_glance_import_task";

    private StoreLists() {
    }

    public static void add(Image img, String key, Collection<String> stores) {
        TreeSet<String> set = read(img, key);
        set.addAll(stores);
        img.properties.put(key, String.join(",", set));
    }

    public static void remove(Image img, String key, Collection<String> stores) {
        TreeSet<String> set = read(img, key);
        set.removeAll(stores);
        img.properties.put(key, String.join(",", set));
    }

    public static TreeSet<String> read(Image img, String key) {
        String v = img.properties.getOrDefault(key, "");
        return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
