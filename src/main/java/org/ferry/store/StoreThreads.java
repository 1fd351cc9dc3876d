package org.ferry.store;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The background threads that write and sync image files while the writer goes on; shared by all stores. */
final class StoreThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();

    /** Idle threads end after a minute. */
    static final ExecutorService IO = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ferry-store-io-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private StoreThreads() {
    }
}
