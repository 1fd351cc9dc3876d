package org.ferry.replication.run;

import org.ferry.catalog.Refused;
import org.ferry.replication.clients.ServiceSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The facade the schedule, the operator API and the CLI call: starts a run of a job behind the job's guard (or
 * refuses, if a run of it holds the guard anywhere), continues an interrupted run instead of starting afresh, keeps
 * the guards of its runs alive, and looks for runs that were interrupted (here or on a node that died) to continue.
 */
public final class ReplicationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);

    public static final String SCHEDULE = "schedule";
    public static final String API = "api";
    public static final String CLI = "cli";
    public static final String CONTINUATION = "continuation";

    private final List<ReplicationJob> jobs;
    private final Duration lease;
    private final ReplicationStore store;
    private final Function<ReplicationJob, ServiceSession> sessions;
    private final Clock clock;
    private final String holder;
    private final Map<String, ServiceSession> sessionByJob = new ConcurrentHashMap<>();
    private final Map<String, RunContext> active = new ConcurrentHashMap<>();
    private final ExecutorService runThreads;
    private final ScheduledExecutorService housekeeping;
    private volatile Consumer<RunContext> dispatcher;
    private volatile boolean closed;

    /**
     * @param jobs     the configured jobs
     * @param lease    how long a run's guard holds without renewal
     * @param sessions makes a job's session (Keystone or static); one is kept per job, so its token is reused
     */
    public ReplicationService(List<ReplicationJob> jobs, Duration lease, ReplicationStore store,
                              Function<ReplicationJob, ServiceSession> sessions, Clock clock) {
        this.jobs = List.copyOf(jobs);
        this.lease = lease;
        this.store = store;
        this.sessions = sessions;
        this.clock = clock;
        this.holder = holderName();
        this.runThreads = Executors.newCachedThreadPool(daemon("ferry-replication-run"));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("ferry-replication-lease"));
    }

    /** How runs get to their route: the wiring sends the run context to {@code direct:replication-run-<job>}. */
    public void dispatcher(Consumer<RunContext> dispatcher) {
        this.dispatcher = dispatcher;
    }

    public List<ReplicationJob> jobs() {
        return jobs;
    }

    public Optional<ReplicationJob> job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }

    public ReplicationStore store() {
        return store;
    }

    /** This process's name in the guards it holds. */
    public String holder() {
        return holder;
    }

    /**
     * Keeps the guards of running runs alive and, when {@code continueInterrupted}, checks now and then for runs to
     * continue (a server does; the one-shot CLI continues only its own job's run when it starts it).
     */
    public void startHousekeeping(boolean continueInterrupted, Duration firstCheck) {
        long renewMillis = Math.max(1000, lease.toMillis() / 3);
        housekeeping.scheduleWithFixedDelay(this::renewLeases, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        if (continueInterrupted && !jobs.isEmpty()) {
            long every = Math.max(2000, lease.toMillis() / 2);
            housekeeping.scheduleWithFixedDelay(this::continueInterrupted, firstCheck.toMillis(), every,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Starts a run (or continues the job's interrupted one) in the background. */
    public RunRecord start(String jobName, String trigger, RunListener listener) throws Refused {
        RunContext run = begin(jobName, trigger, listener);
        runThreads.execute(() -> dispatch(run));
        return run.record();
    }

    /** Runs (or continues) a run in this thread, to its end; returns the finished record. */
    public RunRecord runInForeground(String jobName, String trigger, RunListener listener) throws Refused {
        RunContext run = begin(jobName, trigger, listener);
        dispatch(run);
        try {
            return run.finished().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + run);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(run + " ended without a result", e);
        }
    }

    /** The camel-quartz trigger of a job: starts a run unless one is going on (anywhere), which is only logged. */
    public void scheduled(String jobName) {
        try {
            RunRecord r = start(jobName, SCHEDULE, RunListener.NONE);
            LOG.info("job {}: scheduled run {} {}", jobName, r.id(), r.continued() > 0 ? "(continuing)" : "started");
        } catch (Refused e) {
            LOG.info("job {}: scheduled run skipped: {}", jobName, e.getMessage());
        }
    }

    private RunContext begin(String jobName, String trigger, RunListener listener) throws Refused {
        if (closed) {
            throw new Refused(503, "Ferry is stopping");
        }
        ReplicationJob job = job(jobName).orElseThrow(() -> new Refused(404, "no replication job " + jobName));
        Instant now = clock.instant();
        if (!store.acquire(job.name(), holder, now, now.plus(lease))) {
            String who = store.lease(job.name()).map(l -> (l.runId() == null ? "a run starting" : "run " + l.runId())
                    + " on " + l.holder()).orElse("another run");
            throw new Refused(409, "job " + job.name() + " is already running (" + who + ")");
        }
        try {
            Optional<RunRecord> unfinished = store.unfinishedRun(job.name());
            RunRecord record;
            if (unfinished.isPresent()) {
                store.markContinued(unfinished.get().id());
                record = store.run(unfinished.get().id()).orElseThrow();
                LOG.info("job {}: continuing interrupted run {} ({} trigger)", job.name(), record.id(), trigger);
            } else {
                record = store.createRun(UUID.randomUUID().toString(), job.name(), trigger, now);
            }
            store.attachRun(job.name(), holder, record.id());
            ServiceSession session = sessionByJob.computeIfAbsent(job.name(), n -> sessions.apply(job));
            RunContext run = new RunContext(job, record, holder, session, listener, unfinished.isPresent());
            active.put(job.name(), run);
            run.finished().whenComplete((r, e) -> active.remove(job.name(), run));
            return run;
        } catch (RuntimeException e) {
            store.release(job.name(), holder);
            throw e;
        }
    }

    private void dispatch(RunContext run) {
        try {
            dispatcher.accept(run);
        } catch (RuntimeException e) {
            if (run.finished().isDone()) {
                LOG.debug("{}: the run route ended with {} after the run finished", run, e.toString());
            } else {
                LOG.error("{}: the run route failed", run, e);
            }
        } finally {
            if (!run.finished().isDone()) {
                // the route ended without its finish step (it cannot, unless Camel itself failed): free the guard
                store.release(run.job().name(), holder);
                run.finished().complete(store.run(run.runId()).orElse(run.record()));
            }
        }
    }

    /** Continues runs whose process stopped or died (their guard released or run out). */
    public void continueInterrupted() {
        if (closed) {
            return;
        }
        for (ReplicationJob job : jobs) {
            if (active.containsKey(job.name())) {
                continue;
            }
            try {
                Optional<RunRecord> unfinished = store.unfinishedRun(job.name());
                if (unfinished.isEmpty()) {
                    continue;
                }
                Optional<ReplicationStore.Lease> lease = store.lease(job.name());
                if (lease.isPresent() && lease.get().heldAt(clock.instant())) {
                    continue;
                }
                start(job.name(), CONTINUATION, RunListener.NONE);
            } catch (Refused e) {
                LOG.debug("job {}: not continued: {}", job.name(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("job {}: looking for an interrupted run failed: {}", job.name(), e.toString());
            }
        }
    }

    private void renewLeases() {
        for (RunContext run : active.values()) {
            try {
                if (!store.renew(run.job().name(), holder, clock.instant().plus(lease))) {
                    LOG.warn("{}: lost the job's guard (lease ran out); stopping", run);
                    run.stop("the job's guard was lost");
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: renewing the guard failed: {}", run, e.toString());
            }
        }
    }

    /** The run in progress in this process, if any. */
    public Optional<RunContext> active(String jobName) {
        return Optional.ofNullable(active.get(jobName));
    }

    /** Stops this process's runs (they stay open for continuation), waits briefly for them, frees their guards. */
    @Override
    public void close() {
        closed = true;
        housekeeping.shutdownNow();
        List<RunContext> running = List.copyOf(active.values());
        running.forEach(r -> r.stop("Ferry is stopping"));
        for (RunContext r : running) {
            try {
                r.finished().get(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{}: did not stop in time", r);
            }
            store.release(r.job().name(), holder);
        }
        // the run threads are returning from their routes: let them, rather than interrupt Camel mid-exchange
        runThreads.shutdown();
        try {
            if (!runThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                runThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runThreads.shutdownNow();
        }
    }

    private static String holderName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
