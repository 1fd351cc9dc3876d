package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;

import java.nio.file.Path;

/**
 * glance_store's filesystem driver options.
 *
 * @param dataDir          filesystem_store_datadir, resolved against the working directory
 * @param chunkSize        filesystem_store_chunk_size (shown by GET /v2/info/stores/detail)
 * @param thinProvisioning filesystem_thin_provisioning (shown by GET /v2/info/stores/detail)
 */
public record FileStoreOptions(Path dataDir, int chunkSize, boolean thinProvisioning) implements DriverOptions {
    public static final int DEFAULT_CHUNK_SIZE = 65536;

    /** A file store of enabled_backends, from its own section: the data directory is required. */
    public static FileStoreOptions read(ConfigReader r, String section, Path baseDir) {
        String dir = r.string(section, "filesystem_store_datadir", "");
        if (dir.isEmpty()) {
            throw ConfigException.badValue(section, "filesystem_store_datadir", "", "a file store needs a data directory");
        }
        return new FileStoreOptions(baseDir.resolve(dir).normalize(),
                r.integer(section, "filesystem_store_chunk_size", DEFAULT_CHUNK_SIZE, 1),
                r.bool(section, "filesystem_thin_provisioning", false));
    }

    /** The one store of a Ferry without enabled_backends, from [glance_store]. */
    public static FileStoreOptions readSingleStore(ConfigReader r, Path baseDir) {
        String dir = r.string("glance_store", "filesystem_store_datadir", "./data/images");
        return new FileStoreOptions(baseDir.resolve(dir).normalize(),
                r.integer("glance_store", "filesystem_store_chunk_size", DEFAULT_CHUNK_SIZE, 1), false);
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Store open(StoreSettings settings, OkHttpClient http) {
        return new FileStore(settings, this);
    }
}
