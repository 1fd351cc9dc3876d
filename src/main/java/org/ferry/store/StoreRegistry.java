package org.ferry.store;

import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The stores of enabled_backends in config order, the default one, and the reserved staging store. */
public final class StoreRegistry {
    private final List<Store> stores;
    private final Store defaultStore;
    private final FileStore staging;
    private final boolean multistore;
    private final StoreErrors errors;

    public StoreRegistry(List<Store> stores, Store defaultStore, FileStore staging, boolean multistore) {
        this.stores = List.copyOf(stores);
        this.defaultStore = defaultStore;
        this.staging = staging;
        this.multistore = multistore;
        List<String> ids = new ArrayList<>(this.stores.stream().map(Store::id).toList());
        ids.add(staging.id());
        this.errors = new StoreErrors(ids);
    }

    /**
     * What the registry is made from.
     *
     * @param stores         enabled_backends in config order (the one {@code file} store without them)
     * @param defaultBackend [glance_store] default_backend; ignored without multistore (the one store is the default)
     * @param stagingDir     where the reserved staging store keeps staged image data
     * @param multistore     enabled_backends is set
     */
    public record Settings(List<StoreConfig> stores, String defaultBackend, Path stagingDir, boolean multistore) {
    }

    /** Glance's reserved store id for staged image data. */
    public static final String STAGING_STORE = "os_glance_staging_store";

    public static StoreRegistry from(Settings settings, OkHttpClient http) {
        List<Store> stores = new ArrayList<>();
        for (StoreConfig s : settings.stores()) {
            stores.add(s.options().open(s.settings(), http));
        }
        String def = settings.multistore() ? settings.defaultBackend() : stores.get(0).id();
        Store defaultStore = stores.stream().filter(s -> s.id().equals(def)).findFirst().orElseThrow();
        FileStore staging = new FileStore(new StoreSettings(STAGING_STORE, Optional.empty(), 0),
                new FileStoreOptions(settings.stagingDir(), FileStoreOptions.DEFAULT_CHUNK_SIZE, false));
        return new StoreRegistry(stores, defaultStore, staging, settings.multistore());
    }

    public boolean multistore() {
        return multistore;
    }

    /** User-visible stores in config order (never the reserved os_glance_* ones). */
    public List<Store> all() {
        return stores;
    }

    /** Targets for {@code all_stores}: every writable store, in config order. */
    public List<Store> writable() {
        return stores.stream().filter(Store::writable).toList();
    }

    public Optional<Store> get(String id) {
        return stores.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Store defaultStore() {
        return defaultStore;
    }

    public FileStore staging() {
        return staging;
    }

    /** Where the stores' I/O failures are counted. */
    public StoreErrors errors() {
        return errors;
    }

    /** The store that can serve a location URL: its recorded store first, then any store that owns the URL. */
    public Optional<Store> forLocation(String storeId, String url) {
        if (storeId != null) {
            Optional<Store> s = get(storeId);
            if (s.isPresent() && s.get().owns(url)) {
                return s;
            }
        }
        return stores.stream().filter(s -> s.owns(url)).findFirst();
    }
}
