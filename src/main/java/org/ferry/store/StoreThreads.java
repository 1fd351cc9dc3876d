package org.ferry.store;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /** A write or sync of an image file. */
    interface FileTask {
        void run() throws IOException;
    }

    /** Starts a write or sync of an image file on a background thread; {@link #await} gives its outcome. */
    static CompletableFuture<Void> start(FileTask task) {
        return CompletableFuture.runAsync(() -> {
            try {
                task.run();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, IO);
    }

    /** Waits for a background write or sync of an image file; its failure comes out as an IOException. */
    static void await(CompletableFuture<Void> task) throws IOException {
        try {
            task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new IOException("writing the image file failed: " + io.getMessage(), io);
            }
            throw e;
        }
    }
}
