package org.ferry.replication.run;

import org.apache.camel.Exchange;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image step 3: writes how the image ended into the run's record. A failure is recorded with its reason and never
 * stops the run; an image in hand when the run was stopped keeps its open status for the continued run.
 */
public final class RecordImage {
    private static final Logger LOG = LoggerFactory.getLogger(RecordImage.class);

    private final ReplicationStore store;

    public RecordImage(ReplicationStore store) {
        this.store = store;
    }

    public void execute(ImageWork w) {
        w.run().logContext();
        ImageOutcome o = w.outcome() == null ? ImageOutcome.SKIPPED : w.outcome();
        store.updateImage(w.run().runId(), w.imageId(), o, w.targetId(), w.bytes(), w.detail());
        switch (o) {
            case CONFLICT -> LOG.warn("{}: conflict: {}", w, w.detail());
            case COPIED, UPDATED, DELETED -> LOG.info("{}: {}: {}", w, o.db(), w.detail());
            default -> LOG.debug("{}: {}: {}", w, o.db(), w.detail());
        }
        w.run().listener().imageDone(w);
    }

    /** The route's catch: the image failed (or, when the run was stopped, stays open). */
    public void failed(Exchange exchange) {
        ImageWork w = exchange.getMessage().getBody(ImageWork.class);
        w.run().logContext();
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof RunInterrupted || w.run().stopped()) {
            LOG.info("{}: left for the continued run ({})", w, w.run().stopReason());
            return;
        }
        String why = cause instanceof ReplicationFailure || cause instanceof RemoteFailure ? cause.getMessage()
                : cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (!(cause instanceof ReplicationFailure || cause instanceof RemoteFailure)) {
            LOG.error("{}: failed", w, cause);
        } else {
            LOG.warn("{}: failed: {}", w, why);
        }
        w.done(ImageOutcome.FAILED, why, 0);
        store.updateImage(w.run().runId(), w.imageId(), ImageOutcome.FAILED, w.targetId(), 0, why);
        w.run().listener().imageDone(w);
    }
}
