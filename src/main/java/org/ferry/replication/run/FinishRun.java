package org.ferry.replication.run;

import org.apache.camel.Exchange;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Run step 4: counts the run's images, writes the outcome (succeeded; partial when an image failed or conflicted or
 * a source could not be listed; failed when the run itself could not go on) and releases the job's guard. A run that
 * was stopped stays "running" in the database, guard released, for the continuation.
 */
public final class FinishRun {
    private static final Logger LOG = LoggerFactory.getLogger(FinishRun.class);

    private final ReplicationStore store;
    private final Clock clock;

    public FinishRun(ReplicationStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void execute(RunContext run) {
        run.logContext();
        if (run.stopped()) {
            interrupted(run);
            return;
        }
        RunRecord.Counts c = store.counts(run.runId());
        RunRecord listed = store.run(run.runId()).orElse(run.record());
        String status = c.failed() > 0 || c.conflicts() > 0 || !listed.listingComplete() || c.pending() > 0
                ? RunRecord.PARTIAL : RunRecord.SUCCEEDED;
        end(run, status, c, listed.message());
    }

    /** The route's catch: the run could not go on (login, target, no source listable). */
    public void failed(Exchange exchange) {
        RunContext run = exchange.getMessage().getBody(RunContext.class);
        run.logContext();
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof RunInterrupted || run.stopped()) {
            interrupted(run);
            return;
        }
        String why = cause instanceof ReplicationFailure || cause instanceof RemoteFailure ? cause.getMessage()
                : cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (!(cause instanceof ReplicationFailure || cause instanceof RemoteFailure)) {
            LOG.error("{}: failed", run, cause);
        }
        end(run, RunRecord.FAILED, store.counts(run.runId()), why);
    }

    private void end(RunContext run, String status, RunRecord.Counts c, String message) {
        try {
            store.finishRun(run.runId(), status, c, message, clock.instant());
        } finally {
            store.release(run.job().name(), run.holder());
        }
        RunRecord done = store.run(run.runId()).orElseThrow().withCounts(c);
        LOG.info("{}: {}: {} seen, {} copied, {} updated, {} skipped, {} conflicts, {} failed, {} vanished, "
                        + "{} deleted, {} bytes{}", run, status, c.seen(), c.copied(), c.updated(), c.skipped(),
                c.conflicts(), c.failed(), c.vanished(), c.deleted(), c.bytes(), message == null ? "" : "; " + message);
        run.listener().finished(done, false);
        run.finished().complete(done);
    }

    private void interrupted(RunContext run) {
        store.release(run.job().name(), run.holder());
        RunRecord now = store.run(run.runId()).orElseThrow().withCounts(store.counts(run.runId()));
        LOG.info("{}: stopped ({}); {} images left for the continued run", run, run.stopReason(),
                now.counts().pending());
        run.listener().finished(now, true);
        run.finished().complete(now);
    }
}
