package org.ferry.testing;

import org.ferry.store.Store;
import org.ferry.store.StoreWrite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** What the store drivers' tests do with a store: write data in uneven pieces, read it back. */
public final class StoreIo {
    private StoreIo() {
    }

    /** Writes in pieces of {@code piece} bytes, so part and segment boundaries fall inside the caller's buffers. */
    public static void writeAll(StoreWrite w, byte[] data, int piece) throws IOException {
        for (int at = 0; at < data.length; ) {
            int n = Math.min(piece, data.length - at);
            w.channel().write(ByteBuffer.wrap(data, at, n));
            at += n;
        }
    }

    /** {@link #writeAll(StoreWrite, byte[], int)} in pieces of 777 777 bytes, as a data mover's uneven reads. */
    public static void writeAll(StoreWrite w, byte[] data) throws IOException {
        writeAll(w, data, 777_777);
    }

    /** Writes an image and commits it; {@code expected} is the announced size, -1 for unknown. */
    public static String write(Store s, String id, byte[] data, long expected) throws IOException {
        try (StoreWrite w = s.beginWrite(id, expected)) {
            writeAll(w, data);
            return w.commit();
        }
    }

    /** The data of a location from {@code skip} on. */
    public static byte[] read(Store s, String url, long skip) throws IOException {
        try (Store.StoreData d = s.open(url); InputStream in = d.stream()) {
            in.skipNBytes(skip);
            return in.readAllBytes();
        }
    }
}
