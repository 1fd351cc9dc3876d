package org.ferry.replication.run;

import org.ferry.remote.GlanceImage;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;

/**
 * Image step 2b: the target holds the same data, only metadata changed at the source: one PATCH, no data moved.
 */
public final class UpdateImage {
    public void execute(ImageWork w) throws ReplicationFailure, RemoteFailure {
        w.run().logContext();
        w.run().checkStopped();
        GlanceImage updated = w.run().target().patch(w.targetId(), w.patch());
        if (!w.source().sameMetadata(updated)) {
            throw new ReplicationFailure("the target accepted the update of " + w.targetId()
                    + " but still shows different metadata (does its policy or schema refuse some of it?)");
        }
        String changed = MetadataDiff.between(w.source(), w.target()).changed().toString();
        if (w.finishesEarlierCopy()) {
            w.done(ImageOutcome.COPIED, "copy completed while the run was interrupted; metadata brought up to date "
                    + changed, DecideImage.size(w.source()));
        } else {
            w.done(ImageOutcome.UPDATED, "metadata brought up to date, no data moved: " + changed, 0);
        }
    }
}
