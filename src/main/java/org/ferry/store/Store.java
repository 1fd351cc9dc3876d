package org.ferry.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Optional;

/** One backend of {@code enabled_backends}: where image data is written to and read from. */
public interface Store {
    /** The options every store has: id, description, weight. */
    StoreSettings settings();

    default String id() {
        return settings().id();
    }

    /** The options of the store's driver, read from its section. */
    DriverOptions options();

    /** The driver name of enabled_backends, e.g. {@code file} or {@code http}. */
    default String type() {
        return options().type();
    }

    default Optional<String> description() {
        return settings().description();
    }

    default int weight() {
        return settings().weight();
    }

    default boolean writable() {
        return options().writable();
    }

    /** The driver details GET /v2/info/stores/detail shows. */
    Map<String, Object> properties();

    /** Starts writing an image's data; nothing is visible in the store until the write is committed. */
    StoreWrite beginWrite(String imageId) throws IOException;

    /** True if this store can serve the URL of a location. */
    boolean owns(String url);

    /** Opens a location's data for reading; file stores give a channel so downloads can use sendfile. */
    StoreData open(String url) throws IOException;

    void delete(String url) throws IOException;

    /** An open location: either a file channel (positioned reads, sendfile) or a plain stream. */
    record StoreData(long size, FileChannel channel, InputStream stream) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
            if (stream != null) {
                stream.close();
            }
        }
    }
}
