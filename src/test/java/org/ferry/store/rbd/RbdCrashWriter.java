package org.ferry.store.rbd;

import org.ferry.store.RbdStoreOptions;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A writer that is killed in the middle of writing an RBD image (run as its own process by the tests): it starts
 * the write, writes some MiB, says so on stdout and waits to be killed with SIGKILL.
 * Arguments: ceph.conf, user, pool, image id, MiB to write. With -1 MiB it instead starts and aborts writes of the
 * image over and over (saying "looping" after the first), so that a kill lands at any point of making an image.
 */
public final class RbdCrashWriter {
    private RbdCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        RbdStore store = new RbdStore(new StoreSettings("crash", Optional.empty(), 0),
                new RbdStoreOptions(args[2], args[1], args[0], 1, 20, false));
        if (Integer.parseInt(args[4]) < 0) {
            for (int round = 0; ; round++) {
                store.beginWrite(args[3], 1 << 20).abort();
                if (round == 0) {
                    System.out.println("looping");
                    System.out.flush();
                }
            }
        }
        StoreWrite w = store.beginWrite(args[3], -1);
        ByteBuffer mib = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < Integer.parseInt(args[4]); i++) {
            w.channel().write(mib.clear());
        }
        System.out.println("written");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
