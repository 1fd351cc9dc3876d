package org.ferry.store;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** A write in progress: bytes go to {@link #channel()}, then {@link #commit()} publishes them or {@link #abort()} drops them. */
public interface StoreWrite extends AutoCloseable {
    WritableByteChannel channel();

    /** Makes the data durable and visible; returns the location URL. */
    String commit() throws IOException;

    /** Removes whatever was written; safe to call after a failed or a successful commit (then a no-op). */
    void abort();

    @Override
    default void close() {
        abort();
    }
}
