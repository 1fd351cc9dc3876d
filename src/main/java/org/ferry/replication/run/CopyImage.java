package org.ferry.replication.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.GlanceImage;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image step 2a: makes the copy. Creates the target image (same id with preserve_ids, name, formats, visibility,
 * minimums, tags and properties), asks the target to import it with glance-download from the source region, waits
 * for the import to end, and verifies the copy's digests against the source's. The run's record says "copying"
 * before the target image is created, so a continued run knows a queued or importing image there is its own.
 *
 * <p>Outcome table: a failed import leaves the target image queued (the target's own revert) and the image failed
 * in the run; the next run copies into that queued image. A copy whose digests differ from the source's is deleted
 * (the job created it) and the image failed.
 */
public final class CopyImage {
    private static final Logger LOG = LoggerFactory.getLogger(CopyImage.class);
    private static final Pattern COPIED = Pattern.compile("Copied (\\d+) MiB");

    private final ReplicationStore store;
    private final Clock clock;
    private final long firstPollMillis;
    private final long maxPollMillis;

    public CopyImage(ReplicationStore store, Clock clock, long firstPollMillis, long maxPollMillis) {
        this.store = store;
        this.clock = clock;
        this.firstPollMillis = firstPollMillis;
        this.maxPollMillis = maxPollMillis;
    }

    public void execute(ImageWork w) throws ReplicationFailure, RemoteFailure {
        RunContext run = w.run();
        run.logContext();
        ReplicationJob job = run.job();
        GlanceImage src = w.source();
        GlanceClient target = run.target();
        String region = w.record().sourceRegion();
        run.checkStopped();
        if (!w.awaitRunningImport()) {
            store.updateImage(run.runId(), w.imageId(), ImageOutcome.COPYING, w.targetId(), 0, "creating the copy");
            if (w.createTarget()) {
                ObjectNode body = src.createBody();
                if (!job.preserveIds()) {
                    body.remove("id");
                }
                GlanceImage created = target.create(body);
                w.target(created);
            } else if (w.target() != null && (!eq(src.diskFormat(), w.target().diskFormat())
                    || !eq(src.containerFormat(), w.target().containerFormat())
                    || !src.sameMetadata(w.target()))) {
                // a queued copy from an earlier attempt: bring formats and metadata in line before importing
                var patch = MetadataDiff.between(src, w.target());
                var ops = patch.ops();
                ops.addObject().put("op", "replace").put("path", "/disk_format").put("value", src.diskFormat());
                ops.addObject().put("op", "replace").put("path", "/container_format").put("value", src.containerFormat());
                w.target(target.patch(w.targetId(), ops));
            }
            store.updateImage(run.runId(), w.imageId(), ImageOutcome.COPYING, w.targetId(), 0,
                    "importing from " + region);
            store.saveReplica(new Replica(job.name(), src.id(), w.targetId(), region, true));
            target.importGlanceDownload(w.targetId(), region, src.id(), job.iface());
            LOG.info("{}: glance-download of {} from {} started in the target", run, w.label(), region);
        }
        GlanceImage copy = awaitImport(w, target);
        if (!src.sameData(copy)) {
            String why = "the copy's digests (" + copy.digests() + ") differ from the source's (" + src.digests() + ")";
            try {
                target.delete(copy.id());
                store.deleteReplica(job.name(), src.id());
                why += "; the copy was deleted";
            } catch (RemoteFailure e) {
                why += "; deleting the copy failed too: " + e.getMessage();
            }
            throw new ReplicationFailure(why);
        }
        String detail = "copied from " + region + ", " + src.digests() + " verified";
        if (!src.sameMetadata(copy)) {
            // the target's import may add or rewrite properties (Glance's metadata injection, for example)
            var patch = MetadataDiff.between(src, copy);
            target.patch(copy.id(), patch.ops());
            detail += "; metadata realigned (" + String.join(", ", patch.changed()) + ")";
        }
        w.done(ImageOutcome.COPIED, detail, DecideImage.size(src));
    }

    /** Polls the target until the image is active, or its import task failed, or the job's import_timeout passed. */
    private GlanceImage awaitImport(ImageWork w, GlanceClient target) throws ReplicationFailure, RemoteFailure {
        RunContext run = w.run();
        Instant deadline = clock.instant().plus(run.job().importTimeout());
        long wait = firstPollMillis;
        long reported = -1;
        while (true) {
            run.checkStopped();
            GlanceImage img = target.find(w.targetId()).orElseThrow(() -> new ReplicationFailure(
                    "the target's image " + w.targetId() + " disappeared during the import"));
            switch (img.status()) {
                case "active" -> {
                    return img;
                }
                case "queued", "importing" -> {
                    Optional<JsonNode> task = newestTask(target.tasks(w.targetId()));
                    String status = task.map(t -> t.path("status").asText()).orElse("");
                    String message = task.map(t -> t.path("message").asText("")).orElse("");
                    if ("queued".equals(img.status()) && "failure".equals(status)) {
                        throw new ReplicationFailure("import in the target failed: "
                                + (message.isBlank() ? "(no message)" : message));
                    }
                    Matcher m = COPIED.matcher(message);
                    if (m.find()) {
                        long bytes = Long.parseLong(m.group(1)) << 20;
                        if (bytes != reported) {
                            reported = bytes;
                            run.listener().copying(w, bytes);
                        }
                    }
                }
                default -> throw new ReplicationFailure("the target's image " + w.targetId() + " went "
                        + img.status() + " during the import");
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ReplicationFailure("the import did not finish within import_timeout ("
                        + run.job().importTimeout().toSeconds() + " s); the target's image " + w.targetId() + " is "
                        + "left to its import, and the next run looks again");
            }
            run.pause(wait);
            wait = Math.min(maxPollMillis, wait * 3 / 2);
        }
    }

    /** The newest task of the image (Glance has no ordering guarantee; created_at sorts as text in both formats). */
    static Optional<JsonNode> newestTask(List<JsonNode> tasks) {
        return tasks.stream().max(Comparator.comparing((JsonNode t) -> t.path("created_at").asText(""))
                .thenComparing(t -> t.path("updated_at").asText("")));
    }

    private static boolean eq(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }
}
