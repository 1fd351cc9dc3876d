package org.ferry.store;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** An image file being written into a store or into staging: bytes go in, then {@link #sync()} makes them durable. */
interface ImageFileChannel extends WritableByteChannel {
    /** Writes out and syncs everything written so far; called once, before the rename that publishes the file. */
    void sync() throws IOException;
}
