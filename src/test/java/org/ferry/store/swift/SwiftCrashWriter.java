package org.ferry.store.swift;

import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.store.SwiftStoreOptions;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A writer that is killed in the middle of a segmented write (run as its own process by the tests): it writes some
 * 1 MiB segments of an image of unknown size and a little of the next, says so on stdout and waits to be killed with
 * SIGKILL (the test first waits until Swift lists the full segments). Arguments: auth URL, user, key, container, image id, segments to write.
 */
public final class SwiftCrashWriter {
    private SwiftCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConfigReader r = new ConfigReader(IniFile.parse(List.of("[crash]", "swift_store_auth_address = " + args[0],
                "swift_store_user = " + args[1], "swift_store_key = " + args[2], "swift_store_auth_version = 1",
                "swift_store_container = " + args[3], "swift_store_create_container_on_put = true",
                "swift_store_large_object_chunk_size = 1"), "crash.conf"));
        SwiftStore store = new SwiftStore(new StoreSettings("crash", Optional.empty(), 0),
                SwiftStoreOptions.read(r, "crash", Path.of(".")), new okhttp3.OkHttpClient());
        StoreWrite w = store.beginWrite(args[4], -1);
        ByteBuffer segment = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < Integer.parseInt(args[5]); i++) {
            w.channel().write(segment.clear());
        }
        w.channel().write(ByteBuffer.allocate(1000)); // the next segment is being sent
        System.out.println("written");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
