package org.ferry.replication.run;

import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image step 2c (on_source_deleted = delete): the source image left every source's selection, so the copy this
 * job created is deleted from the target. Copies the job did not create are only ever reported.
 */
public final class DeleteVanished {
    private static final Logger LOG = LoggerFactory.getLogger(DeleteVanished.class);

    private final ReplicationStore store;

    public DeleteVanished(ReplicationStore store) {
        this.store = store;
    }

    public void execute(ImageWork w) throws ReplicationFailure, RemoteFailure {
        RunContext run = w.run();
        run.logContext();
        run.checkStopped();
        run.target().delete(w.targetId());
        store.deleteReplica(run.job().name(), w.imageId());
        LOG.info("{}: deleted the copy {} of vanished source image {}", run, w.targetId(), w.imageId());
        w.done(ImageOutcome.DELETED, "no longer selected in any of " + run.job().sourceRegions()
                + "; the copy was deleted", 0);
    }
}
