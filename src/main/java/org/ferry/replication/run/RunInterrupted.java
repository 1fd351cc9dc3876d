package org.ferry.replication.run;

import org.ferry.replication.clients.ReplicationFailure;

/**
 * The run was stopped (Ferry shutting down, or the run's guard lost to another node) while this image was in hand:
 * the image is left for the continued run, not recorded as failed.
 */
public final class RunInterrupted extends ReplicationFailure {
    public RunInterrupted(String message) {
        super(message);
    }
}
