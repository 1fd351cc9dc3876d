package org.ferry.store;

import okhttp3.OkHttpClient;

/**
 * The options of one store driver, one record per driver, read from the store's section in one place (the record's
 * {@code read} method, listed in {@link StoreConfig#DRIVERS}), and the store it opens.
 */
public sealed interface DriverOptions permits FileStoreOptions, HttpStoreOptions, RbdStoreOptions, S3StoreOptions,
        SwiftStoreOptions {
    /** The driver's name in enabled_backends, e.g. {@code file}. */
    String type();

    /** Whether the driver writes image data (a read-only store cannot be the default store). */
    boolean writable();

    /** Opens the store these options describe. */
    Store open(StoreSettings settings, OkHttpClient http);
}
