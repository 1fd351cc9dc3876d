package org.ferry.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * What SIGTERM (or SIGINT) does: Ferry stops taking work, says what it is waiting for, waits for it up to
 * {@code [DEFAULT] graceful_shutdown_timeout} and then stops. Imports still running at that point are left as a
 * crash leaves them (their Quartz jobs and tasks stay in the catalog) and are recovered at the next start.
 */
final class GracefulStop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
    /** Closing the catalog and the routes once nothing runs takes well under this; past it something hangs. */
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    static final int TIMED_OUT_STATUS = 1;

    private final Ferry ferry;
    private final Duration bound;

    GracefulStop(Ferry ferry, Duration bound) {
        this.ferry = ferry;
        this.bound = bound;
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        LOG.info("Stopping: waiting {} for {}", bound.isZero() ? "without a time limit" : "up to " + bound.toSeconds()
                + " s ([DEFAULT] graceful_shutdown_timeout)", ferry.pending());
        if (!ferry.stopTakingWork(remaining(deadline)) || !waitForIdle(deadline)) {
            LOG.warn("Stopping now, graceful_shutdown_timeout of {} s has passed, with {}; imports still running are "
                    + "recovered at the next start", bound.toSeconds(), ferry.pending());
            Runtime.getRuntime().halt(TIMED_OUT_STATUS);
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(CLOSE_BOUND.toMillis());
                LOG.warn("Closing took longer than {} s: stopping now", CLOSE_BOUND.toSeconds());
                Runtime.getRuntime().halt(TIMED_OUT_STATUS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ferry-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ferry.close();
        watchdog.interrupt();
        LOG.info("Ferry stopped after {} ms", Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private boolean waitForIdle(long deadline) {
        long nextReport = System.nanoTime() + REPORT_EVERY.toNanos();
        while (true) {
            Ferry.Pending pending = ferry.pending();
            if (pending.none()) {
                return true;
            }
            long now = System.nanoTime();
            if (!bound.isZero() && now - deadline >= 0) {
                return false;
            }
            if (now - nextReport >= 0) {
                LOG.info("Stopping: still waiting for {}", pending);
                nextReport = now + REPORT_EVERY.toNanos();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private Duration remaining(long deadline) {
        return bound.isZero() ? Duration.ofDays(365) : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
