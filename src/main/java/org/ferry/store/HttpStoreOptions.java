package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigReader;

import java.nio.file.Path;

/** glance_store's http driver options: none that Ferry implements yet (the store uses Ferry's HTTP client). */
public record HttpStoreOptions() implements DriverOptions {
    public static HttpStoreOptions read(ConfigReader r, String section, Path baseDir) {
        return new HttpStoreOptions();
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public Store open(StoreSettings settings, OkHttpClient http) {
        return new HttpStore(settings, this, http);
    }
}
