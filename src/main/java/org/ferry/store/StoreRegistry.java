package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.app.FerryConfig;

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

    public static StoreRegistry from(FerryConfig config, OkHttpClient http) {
        List<Store> stores = new ArrayList<>();
        for (FerryConfig.StoreConfig s : config.stores()) {
            stores.add(switch (s.type()) {
                case "http" -> new HttpStore(s.id(), s.description(), s.weight(), http);
                default -> new FileStore(s.id(), s.dataDir(), s.description(), s.weight(), s.chunkSize(), s.thinProvisioning());
            });
        }
        String def = config.multistore() ? config.defaultBackend() : stores.get(0).id();
        Store defaultStore = stores.stream().filter(s -> s.id().equals(def)).findFirst().orElseThrow();
        FileStore staging = new FileStore(FerryConfig.STAGING_STORE, config.stagingDir(), Optional.empty(), 0, 65536, false);
        return new StoreRegistry(stores, defaultStore, staging, config.multistore());
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
