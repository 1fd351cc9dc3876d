package org.ferry.replication.run;

import org.ferry.remote.GlanceClient;
import org.ferry.replication.clients.ServiceSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One run in progress, the body of the run route: the job, the run's record, the clients of its regions, the images
 * left to do, and the stop signal (Ferry stopping, or the guard lost).
 */
public final class RunContext {
    private final ReplicationJob job;
    private final RunRecord record;
    private final String holder;
    private final ServiceSession session;
    private final RunListener listener;
    private final boolean continued;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CompletableFuture<RunRecord> finished = new CompletableFuture<>();
    private final Map<String, GlanceClient> sources = new LinkedHashMap<>();
    private volatile String stopReason;
    private volatile GlanceClient target;
    private volatile List<ImageWork> pending = List.of();

    RunContext(ReplicationJob job, RunRecord record, String holder, ServiceSession session, RunListener listener,
               boolean continued) {
        this.job = job;
        this.record = record;
        this.holder = holder;
        this.session = session;
        this.listener = listener;
        this.continued = continued;
    }

    public ReplicationJob job() {
        return job;
    }

    public String runId() {
        return record.id();
    }

    public RunRecord record() {
        return record;
    }

    public String holder() {
        return holder;
    }

    public ServiceSession session() {
        return session;
    }

    public RunListener listener() {
        return listener;
    }

    /** The run picks up where an interrupted one stopped. */
    public boolean continued() {
        return continued;
    }

    /** The request id sent with every call of this run (greppable in the regions' logs). */
    public String requestId() {
        return "req-" + record.id();
    }

    /** Puts the run's request id on this thread's log lines (each step calls it: pool threads serve many runs). */
    public void logContext() {
        org.slf4j.MDC.put("request_id", requestId());
    }

    synchronized void source(String region, GlanceClient client) {
        sources.put(region, client);
    }

    public synchronized GlanceClient source(String region) {
        return sources.get(region);
    }

    public GlanceClient target() {
        return target;
    }

    void target(GlanceClient client) {
        this.target = client;
    }

    /** The split's input: the images left to do. */
    public List<ImageWork> getPending() {
        return pending;
    }

    void setWork(List<ImageWork> work) {
        this.pending = List.copyOf(new ArrayList<>(work));
    }

    public void stop(String reason) {
        stopReason = reason;
        stop.countDown();
    }

    public boolean stopped() {
        return stop.getCount() == 0;
    }

    public String stopReason() {
        return stopReason;
    }

    /** Throws when the run was told to stop, so the image in hand is left for the continued run. */
    public void checkStopped() throws RunInterrupted {
        if (stopped()) {
            throw new RunInterrupted("run stopped: " + stopReason);
        }
    }

    /** Waits {@code millis}, waking early (and throwing) when the run is told to stop. */
    public void pause(long millis) throws RunInterrupted {
        try {
            if (stop.await(millis, TimeUnit.MILLISECONDS)) {
                checkStopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunInterrupted("interrupted");
        }
    }

    public CompletableFuture<RunRecord> finished() {
        return finished;
    }

    @Override
    public String toString() {
        return "run " + record.id() + " of job " + job.name();
    }
}
