package org.ferry.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.ferry.store.FileStore;
import org.ferry.store.Store;
import org.quartz.Scheduler;

import javax.sql.DataSource;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Ferry's health checks, and oslo.middleware's disable_by_file. */
public final class Checks {
    private Checks() {
    }

    /** oslo's disable_by_file: the file's presence takes the node out of service (maintenance). */
    public static HealthCheck disableByFile(Optional<Path> file) {
        return check("disable_by_file", "disable_by_file", "DISABLED BY FILE", () -> {
            if (file.isEmpty()) {
                return HealthCheck.Result.ok("No 'disable_by_file_path' configuration value specified");
            }
            return Files.exists(file.get()) ? HealthCheck.Result.failed("Path '" + file.get() + "' was found")
                    : HealthCheck.Result.ok("Path '" + file.get() + "' was not found");
        });
    }

    /** The catalog database answers (a pooled connection that passes the driver's validity check). */
    public static HealthCheck database(DataSource db, int timeoutSeconds) {
        return check("database", "database", "DATABASE UNAVAILABLE", () -> {
            try (Connection c = db.getConnection()) {
                return c.isValid(timeoutSeconds) ? HealthCheck.Result.ok("the catalog database answered")
                        : HealthCheck.Result.failed("the connection did not pass its validity check");
            }
        });
    }

    /**
     * A store is reachable and writable: a file store gets a small probe file written, synced and deleted beside
     * its images (a hidden name no image id can have); a read-only store has nothing to write.
     */
    public static HealthCheck store(Store store) {
        return check("store " + store.id(), "stores", "STORE UNAVAILABLE", () -> {
            if (!(store instanceof FileStore fs)) {
                return HealthCheck.Result.ok("read-only " + store.type() + " store: nothing to write");
            }
            Path probe = Files.createTempFile(fs.dir(), ".ferry-healthcheck-", ".probe");
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("ferry health check\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                ch.force(false);
            } finally {
                Files.deleteIfExists(probe);
            }
            return HealthCheck.Result.ok("wrote and deleted a probe file in " + fs.dir());
        });
    }

    /** A Quartz scheduler is started and not paused or shut down. */
    public static HealthCheck scheduler(String name, String reason, Supplier<Scheduler> scheduler) {
        return check(name, name, reason, () -> {
            Scheduler s = scheduler.get();
            if (s == null || !s.isStarted() || s.isShutdown() || s.isInStandbyMode()) {
                return HealthCheck.Result.failed("the scheduler is not running");
            }
            return HealthCheck.Result.ok("running, " + s.getCurrentlyExecutingJobs().size() + " job(s) executing");
        });
    }

    /** The replication schedule routes (one per job with a schedule) are started, and so is their Quartz. */
    public static HealthCheck replicationScheduler(CamelContext camel, Supplier<Scheduler> quartz) {
        return check("replication_scheduler", "replication_scheduler", "REPLICATION SCHEDULER NOT RUNNING", () -> {
            List<Route> routes = camel.getRoutes().stream()
                    .filter(r -> r.getRouteId().startsWith("replication-schedule-")).toList();
            for (Route r : routes) {
                ServiceStatus st = camel.getRouteController().getRouteStatus(r.getRouteId());
                if (st != ServiceStatus.Started) {
                    return HealthCheck.Result.failed("route " + r.getRouteId() + " is " + st);
                }
            }
            Scheduler s = quartz.get();
            if (s == null || !s.isStarted() || s.isShutdown() || s.isInStandbyMode()) {
                return HealthCheck.Result.failed("the replication scheduler is not running");
            }
            return HealthCheck.Result.ok(routes.size() + " scheduled job(s)");
        });
    }

    @FunctionalInterface
    interface Body {
        HealthCheck.Result run() throws Exception;
    }

    static HealthCheck check(String name, String backend, String reason, Body body) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String backend() {
                return backend;
            }

            @Override
            public String failureReason() {
                return reason;
            }

            @Override
            public Result check() throws Exception {
                return body.run();
            }
        };
    }
}
