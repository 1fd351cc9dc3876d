package org.ferry.replication.run;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replication's tables: the per-job guard (an atomic conditional UPDATE, so it holds across nodes sharing the
 * database), runs, per-image records and the job's replicas. Times are UTC, written by the application.
 */
public final class ReplicationStore {
    private final Jdbi jdbi;

    public ReplicationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // ---- the guard -------------------------------------------------------------------------------------------

    /** The guard's state: who holds it (null when free), for which run, until when. */
    public record Lease(String job, String holder, String runId, Instant until) {
        public boolean heldAt(Instant now) {
            return holder != null && until != null && until.isAfter(now);
        }
    }

    /**
     * Takes the job's guard if it is free or its lease ran out. The UPDATE's condition is evaluated under the row
     * lock, so of two nodes racing exactly one gets 1 row.
     */
    public boolean acquire(String job, String holder, Instant now, Instant until) {
        return jdbi.withHandle(h -> {
            h.createUpdate("INSERT INTO replication_jobs (name) VALUES (:n) ON CONFLICT DO NOTHING").bind("n", job)
                    .execute();
            return h.createUpdate("UPDATE replication_jobs SET holder = :h, run_id = NULL, lease_until = :u "
                            + "WHERE name = :n AND (holder IS NULL OR lease_until IS NULL OR lease_until < :now)")
                    .bind("h", holder).bind("u", utc(until)).bind("n", job).bind("now", utc(now)).execute() == 1;
        });
    }

    /** Extends the lease; false when the holder lost it (it ran out and another took it). */
    public boolean renew(String job, String holder, Instant until) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE replication_jobs SET lease_until = :u "
                        + "WHERE name = :n AND holder = :h")
                .bind("u", utc(until)).bind("n", job).bind("h", holder).execute() == 1);
    }

    public void attachRun(String job, String holder, String runId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_jobs SET run_id = :r WHERE name = :n AND holder = :h")
                .bind("r", runId).bind("n", job).bind("h", holder).execute());
    }

    public void release(String job, String holder) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_jobs SET holder = NULL, run_id = NULL, "
                + "lease_until = NULL WHERE name = :n AND holder = :h").bind("n", job).bind("h", holder).execute());
    }

    public Optional<Lease> lease(String job) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_jobs WHERE name = :n").bind("n", job)
                .map((rs, ctx) -> new Lease(rs.getString("name"), rs.getString("holder"), rs.getString("run_id"),
                        instant(rs, "lease_until"))).findOne());
    }

    // ---- runs ------------------------------------------------------------------------------------------------

    public RunRecord createRun(String id, String job, String trigger, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO replication_runs (id, job, trigger_kind, status, started_at) "
                        + "VALUES (:id, :job, :t, :s, :now)")
                .bind("id", id).bind("job", job).bind("t", trigger).bind("s", RunRecord.RUNNING)
                .bind("now", utc(now)).execute());
        return run(id).orElseThrow();
    }

    /** The job's run that has not ended (interrupted by a stop or crash), if any. */
    public Optional<RunRecord> unfinishedRun(String job) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_runs WHERE job = :j AND status = :s "
                        + "ORDER BY started_at DESC")
                .bind("j", job).bind("s", RunRecord.RUNNING).map((rs, ctx) -> run(rs)).findFirst());
    }

    public void markContinued(String runId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_runs SET continued = continued + 1 WHERE id = :id")
                .bind("id", runId).execute());
    }

    public Optional<RunRecord> run(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_runs WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> run(rs)).findOne());
    }

    /** The job's runs, newest first. */
    public List<RunRecord> runs(String job, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_runs WHERE job = :j "
                        + "ORDER BY started_at DESC, id LIMIT :l")
                .bind("j", job).bind("l", limit).map((rs, ctx) -> run(rs)).list());
    }

    public void finishRun(String runId, String status, RunRecord.Counts c, String message, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_runs SET status = :s, finished_at = :now, "
                        + "images_seen = :seen, copied = :copied, updated = :updated, skipped = :skipped, "
                        + "conflicts = :conflicts, failed = :failed, vanished = :vanished, deleted = :deleted, "
                        + "bytes = :bytes, message = :m WHERE id = :id AND status = :running")
                .bind("s", status).bind("now", utc(now)).bind("seen", c.seen()).bind("copied", c.copied())
                .bind("updated", c.updated()).bind("skipped", c.skipped()).bind("conflicts", c.conflicts())
                .bind("failed", c.failed()).bind("vanished", c.vanished()).bind("deleted", c.deleted())
                .bind("bytes", c.bytes()).bind("m", message).bind("id", runId).bind("running", RunRecord.RUNNING)
                .execute());
    }

    /** Records the listing: the per-image rows (pending; a repeated id keeps its first row) and whether it was complete. */
    public void recordListing(String runId, List<RunImage> images, boolean complete, String message) {
        jdbi.useTransaction(h -> {
            if (!images.isEmpty()) {
                PreparedBatch b = h.prepareBatch("INSERT INTO replication_run_images (run_id, image_id, kind, "
                        + "source_region, name, size, source_view, status, target_id, updated_at) VALUES (:run, :id, "
                        + ":kind, :region, :name, :size, :view, :status, :target, :now) ON CONFLICT DO NOTHING");
                LocalDateTime now = utc(Instant.now());
                for (RunImage i : images) {
                    b.bind("run", runId).bind("id", i.imageId()).bind("kind", i.kind())
                            .bind("region", i.sourceRegion()).bind("name", truncate(i.name(), 255))
                            .bind("size", i.size()).bind("view", i.sourceView()).bind("status", i.status().db())
                            .bind("target", i.targetId()).bind("now", now).add();
                }
                b.execute();
            }
            h.createUpdate("UPDATE replication_runs SET listed = TRUE, listing_complete = :c, message = :m "
                    + "WHERE id = :id").bind("c", complete).bind("m", message).bind("id", runId).execute();
        });
    }

    public void setRunMessage(String runId, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_runs SET message = :m WHERE id = :id")
                .bind("m", message).bind("id", runId).execute());
    }

    /** The run's images still to do (pending, or a copy that was under way when the run stopped). */
    public List<RunImage> openImages(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_run_images WHERE run_id = :r "
                        + "AND status IN ('pending', 'copying') ORDER BY kind, image_id")
                .bind("r", runId).map((rs, ctx) -> image(rs)).list());
    }

    public List<RunImage> images(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_run_images WHERE run_id = :r "
                + "ORDER BY kind, image_id").bind("r", runId).map((rs, ctx) -> image(rs)).list());
    }

    /** Failed and conflicting images of a run (the errors a run view lists). */
    public List<RunImage> problems(String runId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_run_images WHERE run_id = :r "
                        + "AND status IN ('failed', 'conflict') ORDER BY image_id LIMIT :l")
                .bind("r", runId).bind("l", limit).map((rs, ctx) -> image(rs)).list());
    }

    public void updateImage(String runId, String imageId, ImageOutcome status, String targetId, long bytes,
                            String detail) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE replication_run_images SET status = :s, target_id = "
                        + "COALESCE(:t, target_id), bytes = :b, detail = :d, updated_at = :now "
                        + "WHERE run_id = :r AND image_id = :i")
                .bind("s", status.db()).bind("t", targetId).bind("b", bytes).bind("d", detail)
                .bind("now", utc(Instant.now())).bind("r", runId).bind("i", imageId).execute());
    }

    /** Counts the run's images by outcome. */
    public RunRecord.Counts counts(String runId) {
        return jdbi.withHandle(h -> {
            Map<ImageOutcome, Integer> n = new EnumMap<>(ImageOutcome.class);
            long[] bytes = {0};
            int[] seen = {0};
            h.createQuery("SELECT status, kind, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b "
                            + "FROM replication_run_images WHERE run_id = :r GROUP BY status, kind")
                    .bind("r", runId).map((rs, ctx) -> {
                        ImageOutcome o = ImageOutcome.of(rs.getString("status"));
                        int count = rs.getInt("n");
                        n.merge(o, count, Integer::sum);
                        bytes[0] += rs.getLong("b");
                        if (RunImage.SOURCE.equals(rs.getString("kind"))) {
                            seen[0] += count;
                        }
                        return 0;
                    }).list();
            return new RunRecord.Counts(seen[0], n.getOrDefault(ImageOutcome.PENDING, 0)
                    + n.getOrDefault(ImageOutcome.COPYING, 0), n.getOrDefault(ImageOutcome.COPIED, 0),
                    n.getOrDefault(ImageOutcome.UPDATED, 0), n.getOrDefault(ImageOutcome.SKIPPED, 0),
                    n.getOrDefault(ImageOutcome.CONFLICT, 0), n.getOrDefault(ImageOutcome.FAILED, 0),
                    n.getOrDefault(ImageOutcome.VANISHED, 0), n.getOrDefault(ImageOutcome.DELETED, 0), bytes[0]);
        });
    }

    // ---- replicas --------------------------------------------------------------------------------------------

    public Optional<Replica> replica(String job, String sourceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_images WHERE job = :j AND source_id = :s")
                .bind("j", job).bind("s", sourceId).map((rs, ctx) -> replica(rs)).findOne());
    }

    public List<Replica> replicas(String job) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM replication_images WHERE job = :j ORDER BY source_id")
                .bind("j", job).map((rs, ctx) -> replica(rs)).list());
    }

    /** Records (or re-points) a replica. A copy the job created stays marked as created. */
    public void saveReplica(Replica r) {
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE replication_images SET target_id = :t, source_region = :g, "
                            + "created_copy = (created_copy OR :c), updated_at = :now WHERE job = :j AND source_id = :s")
                    .bind("t", r.targetId()).bind("g", r.sourceRegion()).bind("c", r.createdCopy())
                    .bind("now", utc(Instant.now())).bind("j", r.job()).bind("s", r.sourceId()).execute();
            if (n == 0) {
                insertReplica(h, r);
            }
        });
    }

    private static void insertReplica(Handle h, Replica r) {
        h.createUpdate("INSERT INTO replication_images (job, source_id, target_id, source_region, created_copy, "
                        + "updated_at) VALUES (:j, :s, :t, :g, :c, :now) ON CONFLICT DO NOTHING")
                .bind("j", r.job()).bind("s", r.sourceId()).bind("t", r.targetId()).bind("g", r.sourceRegion())
                .bind("c", r.createdCopy()).bind("now", utc(Instant.now())).execute();
    }

    public void deleteReplica(String job, String sourceId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM replication_images WHERE job = :j AND source_id = :s")
                .bind("j", job).bind("s", sourceId).execute());
    }

    // ---- rows ------------------------------------------------------------------------------------------------

    private static RunRecord run(ResultSet rs) throws SQLException {
        RunRecord.Counts c = new RunRecord.Counts(rs.getInt("images_seen"), 0, rs.getInt("copied"),
                rs.getInt("updated"), rs.getInt("skipped"), rs.getInt("conflicts"), rs.getInt("failed"),
                rs.getInt("vanished"), rs.getInt("deleted"), rs.getLong("bytes"));
        return new RunRecord(rs.getString("id"), rs.getString("job"), rs.getString("trigger_kind"),
                rs.getString("status"), rs.getBoolean("listed"), rs.getBoolean("listing_complete"),
                rs.getInt("continued"), instant(rs, "started_at"), instant(rs, "finished_at"), c,
                rs.getString("message"));
    }

    private static RunImage image(ResultSet rs) throws SQLException {
        long size = rs.getLong("size");
        Long boxed = rs.wasNull() ? null : size;
        return new RunImage(rs.getString("run_id"), rs.getString("image_id"), rs.getString("kind"),
                rs.getString("source_region"), rs.getString("name"), boxed, rs.getString("source_view"),
                ImageOutcome.of(rs.getString("status")), rs.getString("target_id"), rs.getLong("bytes"),
                rs.getString("detail"), instant(rs, "updated_at"));
    }

    private static Replica replica(ResultSet rs) throws SQLException {
        return new Replica(rs.getString("job"), rs.getString("source_id"), rs.getString("target_id"),
                rs.getString("source_region"), rs.getBoolean("created_copy"));
    }

    static LocalDateTime utc(Instant i) {
        return i == null ? null : LocalDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        LocalDateTime t = rs.getObject(col, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    private static String truncate(String s, int n) {
        return s == null || s.length() <= n ? s : s.substring(0, n);
    }
}
