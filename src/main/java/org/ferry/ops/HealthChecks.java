package org.ferry.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Runs health checks side by side, each bounded in time: a database that does not answer must make the health check
 * say so quickly, not hang the load balancer's probe. A bounded pool, so probes piling up on a hung check are
 * answered "busy" instead of growing threads.
 */
public final class HealthChecks implements AutoCloseable {
    private final List<HealthCheck> checks;
    private final Duration timeout;
    private final ThreadPoolExecutor pool;

    /** What one check found: {@code reason} is "OK" or the check's public failure reason. */
    public record Outcome(String name, String backend, boolean available, String reason, String details, long millis) {
    }

    public HealthChecks(List<HealthCheck> checks, Duration timeout) {
        this.checks = List.copyOf(checks);
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, 16, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "ferry-healthcheck-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public List<HealthCheck> checks() {
        return checks;
    }

    /** Runs the checks {@code which} selects, in their order. */
    public List<Outcome> run(Predicate<HealthCheck> which) {
        Map<HealthCheck, Future<Outcome>> running = new LinkedHashMap<>();
        List<Outcome> out = new ArrayList<>();
        for (HealthCheck c : checks) {
            if (!which.test(c)) {
                continue;
            }
            try {
                running.put(c, pool.submit(() -> runOne(c)));
            } catch (RejectedExecutionException e) {
                running.put(c, null);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (var e : running.entrySet()) {
            HealthCheck c = e.getKey();
            Future<Outcome> f = e.getValue();
            if (f == null) {
                out.add(failed(c, "too many health checks in flight", 0));
                continue;
            }
            try {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | CancellationException ex) {
                f.cancel(true);
                out.add(failed(c, "no answer within " + timeout.toMillis() + " ms", timeout.toMillis()));
            } catch (ExecutionException ex) {
                out.add(failed(c, String.valueOf(ex.getCause()), 0));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                out.add(failed(c, "interrupted", 0));
            }
        }
        return out;
    }

    private static Outcome runOne(HealthCheck c) {
        long start = System.nanoTime();
        HealthCheck.Result r;
        try {
            r = c.check();
        } catch (Exception e) {
            r = HealthCheck.Result.failed(e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Outcome(c.name(), c.backend(), r.available(), r.available() ? "OK" : c.failureReason(),
                r.details(), ms);
    }

    private static Outcome failed(HealthCheck c, String details, long millis) {
        return new Outcome(c.name(), c.backend(), false, c.failureReason(), details, millis);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
