package org.ferry.store.rbd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the flattens that make a copy inside Ceph independent of its source, one at a time on a background thread
 * (a flatten moves the whole image at the OSDs' rate), and lets a caller that cannot wait for the queue (a delete of
 * the source) run one at once. Each image is flattened by one job at a time; a job asked for twice runs once.
 * Shared by all rbd stores of the process, so a store can take over a flatten queued by another.
 */
final class RbdFlattener {
    private static final Logger LOG = LoggerFactory.getLogger(RbdFlattener.class);
    static final RbdFlattener SHARED = new RbdFlattener();

    /** The flatten of one image; it does nothing when the image is gone or no longer needs it. */
    interface Work {
        void run() throws IOException;
    }

    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ferry-rbd-flatten");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    /** Queues the flatten of the image {@code key} (fsid/pool/name) unless it is queued or running already. */
    void inBackground(String key, Work work) {
        Job fresh = new Job(key, work);
        if (jobs.putIfAbsent(key, fresh) == null) {
            background.execute(() -> {
                fresh.runOnce();
                fresh.done.exceptionally(e -> {
                    LOG.warn("flattening {} failed; it stays a clone of its source until Ferry next starts or the "
                            + "source is deleted: {}", key, e.getMessage());
                    return null;
                });
            });
        }
    }

    /** Flattens the image now on this thread, or waits for the job that is already at it. */
    void now(String key, Work work) throws IOException {
        Job fresh = new Job(key, work);
        Job job = jobs.putIfAbsent(key, fresh);
        if (job == null) {
            job = fresh;
        }
        job.runOnce();
        await(job);
    }

    /** Makes sure no flatten of the image runs (before it is deleted): a queued one is dropped, a running one ended. */
    void forget(String key) throws IOException {
        Job job = jobs.get(key);
        if (job != null && job.claim()) {
            job.done.complete(null);
            jobs.remove(key, job);
        } else if (job != null) {
            await(job);
        }
    }

    private static void await(Job job) throws IOException {
        try {
            job.done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("flattening " + job.key + ": " + e.getCause(), e.getCause());
        }
    }

    private final class Job {
        final String key;
        final Work work;
        final AtomicBoolean started = new AtomicBoolean();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Job(String key, Work work) {
            this.key = key;
            this.work = work;
        }

        boolean claim() {
            return started.compareAndSet(false, true);
        }

        /** Runs the work unless another thread has started it (or it was dropped). */
        void runOnce() {
            if (!claim()) {
                return;
            }
            try {
                work.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                jobs.remove(key, this);
            }
        }
    }
}
