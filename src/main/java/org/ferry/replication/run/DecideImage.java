package org.ferry.replication.run;

import org.ferry.remote.GlanceImage;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;

import java.util.Optional;

/**
 * Image step 1: compares the listed source image with what the target holds and picks the action.
 *
 * <table>
 * <tr><th>source / target</th><th>decision</th></tr>
 * <tr><td>not selected (e.g. private) or not active</td><td>skipped, never copied</td></tr>
 * <tr><td>absent</td><td>copy (create, then glance-download)</td></tr>
 * <tr><td>active, same data, same metadata</td><td>skipped (up to date)</td></tr>
 * <tr><td>active, same data, other metadata</td><td>update (PATCH only, no data moved)</td></tr>
 * <tr><td>active, other data</td><td>conflict: reported, never overwritten</td></tr>
 * <tr><td>queued, a copy of this job</td><td>copy into it (an earlier import failed or was interrupted)</td></tr>
 * <tr><td>importing, a copy of this job</td><td>wait for that import</td></tr>
 * <tr><td>any other state, or not this job's</td><td>conflict (or skipped while busy)</td></tr>
 * <tr><td>vanished from every source</td><td>delete the copy (on_source_deleted = delete, copies the job created)
 * or report it</td></tr>
 * </table>
 */
public final class DecideImage {
    private final ReplicationStore store;

    public DecideImage(ReplicationStore store) {
        this.store = store;
    }

    public void execute(ImageWork w) throws ReplicationFailure, RemoteFailure {
        RunContext run = w.run();
        run.logContext();
        run.checkStopped();
        ReplicationJob job = run.job();
        if (w.record().vanished()) {
            vanished(w, job);
            return;
        }
        GlanceImage src = w.source();
        String mismatch = job.selection().mismatch(src);
        if (mismatch != null) {
            w.done(ImageOutcome.SKIPPED, "not selected: " + mismatch, 0);
            return;
        }
        if (!"active".equals(src.status())) {
            w.done(ImageOutcome.SKIPPED, "source image is " + src.status() + ", not active", 0);
            return;
        }
        Optional<Replica> replica = store.replica(job.name(), src.id());
        boolean startedByUs = w.record().status() == ImageOutcome.COPYING;
        String targetId = job.preserveIds() ? src.id() : replica.map(Replica::targetId).orElse(w.targetId());
        Optional<GlanceImage> found = targetId == null ? Optional.empty() : run.target().find(targetId);
        if (found.isEmpty()) {
            w.targetId(job.preserveIds() ? src.id() : null);
            w.copy(true, false);
            return;
        }
        GlanceImage tgt = found.get();
        w.target(tgt);
        boolean ours = startedByUs || replica.map(Replica::createdCopy).orElse(false);
        switch (tgt.status()) {
            case "active" -> {
                if (!src.sameData(tgt)) {
                    w.done(ImageOutcome.CONFLICT, "the target's image " + tgt.id() + " holds different data ("
                            + tgt.digests() + ") than the source in " + w.record().sourceRegion() + " ("
                            + src.digests() + "); it is left as it is", 0);
                    return;
                }
                store.saveReplica(new Replica(job.name(), src.id(), tgt.id(), w.record().sourceRegion(), startedByUs));
                MetadataDiff.Patch patch = MetadataDiff.between(src, tgt);
                if (!patch.empty()) {
                    w.update(patch.ops(), startedByUs);
                } else if (startedByUs) {
                    // the copy the interrupted run started finished while nobody watched
                    w.done(ImageOutcome.COPIED, "copy completed while the run was interrupted; digests verified",
                            size(src));
                } else {
                    w.done(ImageOutcome.SKIPPED, "up to date", 0);
                }
            }
            case "queued" -> {
                if (ours) {
                    w.copy(false, false);
                } else {
                    w.done(ImageOutcome.CONFLICT, "the target has a queued image " + tgt.id()
                            + " that this job did not create; it is left as it is", 0);
                }
            }
            case "importing", "uploading", "saving" -> {
                if (ours && "importing".equals(tgt.status())) {
                    w.copy(false, true);
                } else {
                    w.done(ImageOutcome.SKIPPED, "the target's image " + tgt.id() + " is " + tgt.status()
                            + " (another upload or import is under way); the next run looks again", 0);
                }
            }
            default -> w.done(ImageOutcome.CONFLICT, "the target's image " + tgt.id() + " is " + tgt.status()
                    + "; it is left as it is", 0);
        }
    }

    private void vanished(ImageWork w, ReplicationJob job) {
        Optional<Replica> replica = store.replica(job.name(), w.imageId());
        String where = "no longer selected in any of " + job.sourceRegions();
        if (replica.isEmpty()) {
            w.done(ImageOutcome.VANISHED, where + "; no copy is recorded any more", 0);
        } else if (job.onSourceDeleted() == ReplicationJob.OnSourceDeleted.DELETE && replica.get().createdCopy()) {
            w.targetId(replica.get().targetId());
            w.delete();
        } else {
            w.done(ImageOutcome.VANISHED, where + "; copy " + replica.get().targetId() + " kept ("
                    + (replica.get().createdCopy() ? "on_source_deleted = report" : "this job did not create it")
                    + ")", 0);
        }
    }

    static long size(GlanceImage src) {
        return src.size() == null ? 0 : src.size();
    }
}
