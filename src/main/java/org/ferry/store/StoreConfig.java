package org.ferry.store;

import org.ferry.config.ConfigReader;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One store of enabled_backends as configured: the options every store has and its driver's own.
 * A new driver adds its store, its options record (implementing {@link DriverOptions}, with a {@code read} method),
 * and its name in {@link #DRIVERS} and in {@link DriverOptions}' permits list; nothing outside store/ changes.
 */
public record StoreConfig(StoreSettings settings, DriverOptions options) {
    /** How a driver's options are read from a store's section. */
    @FunctionalInterface
    public interface DriverReader {
        DriverOptions read(ConfigReader r, String section, Path baseDir);
    }

    /** The drivers enabled_backends may name, in the order messages list them. */
    public static final Map<String, DriverReader> DRIVERS = drivers();

    private static Map<String, DriverReader> drivers() {
        Map<String, DriverReader> d = new LinkedHashMap<>();
        d.put("file", FileStoreOptions::read);
        d.put("http", HttpStoreOptions::read);
        d.put("rbd", RbdStoreOptions::read);
        d.put("s3", S3StoreOptions::read);
        d.put("swift", SwiftStoreOptions::read);
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * Reads store {@code id} of driver {@code type} (one of {@link #DRIVERS}) from its section {@code [id]}.
     *
     * @param baseDir where relative paths resolve (the working directory, as in Glance)
     */
    public static StoreConfig read(ConfigReader r, String id, String type, Path baseDir) {
        DriverOptions options = DRIVERS.get(type).read(r, id, baseDir);
        return new StoreConfig(new StoreSettings(id, r.optional(id, "store_description"),
                r.integer(id, "weight", 0, Integer.MIN_VALUE)), options);
    }

    /** The one file store of a Ferry without enabled_backends. */
    public static StoreConfig singleStore(ConfigReader r, Path baseDir) {
        return new StoreConfig(new StoreSettings("file", Optional.empty(), 0), FileStoreOptions.readSingleStore(r, baseDir));
    }

    public String id() {
        return settings.id();
    }

    public String type() {
        return options.type();
    }
}
