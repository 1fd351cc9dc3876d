package org.ferry.replication.clients;

/** Replication of one image (or a whole run) failed for a reason the run's record states as it is. */
public class ReplicationFailure extends Exception {
    public ReplicationFailure(String message) {
        super(message);
    }

    public ReplicationFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
