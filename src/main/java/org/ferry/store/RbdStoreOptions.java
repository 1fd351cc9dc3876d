package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.store.rbd.RbdStore;

import java.nio.file.Path;

/**
 * glance_store's rbd driver options, under Glance's names.
 *
 * @param pool               rbd_store_pool
 * @param user               rbd_store_user (without {@code client.}); librados' default {@code admin} when unset
 * @param cephConf           rbd_store_ceph_conf; empty: librados' default search ({@code /etc/ceph/ceph.conf})
 * @param chunkSizeMiB       rbd_store_chunk_size in MiB: the RBD object size and the size of each write
 * @param connectTimeout     rados_connect_timeout in seconds; 0 keeps librados' own
 * @param thinProvisioning   rbd_thin_provisioning: chunks of zeros are not written
 */
public record RbdStoreOptions(String pool, String user, String cephConf, int chunkSizeMiB, int connectTimeout,
                              boolean thinProvisioning) implements DriverOptions {
    public static RbdStoreOptions read(ConfigReader r, String section, Path baseDir) {
        int chunk = r.integer(section, "rbd_store_chunk_size", 8, 1, 32);
        if (Integer.bitCount(chunk) != 1) {
            throw ConfigException.badValue(section, "rbd_store_chunk_size", Integer.toString(chunk),
                    "the RBD object size must be a power of two MiB (1 to 32)");
        }
        String conf = r.string(section, "rbd_store_ceph_conf", "");
        return new RbdStoreOptions(r.string(section, "rbd_store_pool", "images"),
                r.string(section, "rbd_store_user", "admin"),
                conf.isEmpty() ? "" : baseDir.resolve(conf).normalize().toString(), chunk,
                r.integer(section, "rados_connect_timeout", 0, 0), r.bool(section, "rbd_thin_provisioning", false));
    }

    public int chunkSizeBytes() {
        return chunkSizeMiB << 20;
    }

    @Override
    public String type() {
        return "rbd";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Store open(StoreSettings settings, OkHttpClient http) {
        return new RbdStore(settings, this);
    }
}
