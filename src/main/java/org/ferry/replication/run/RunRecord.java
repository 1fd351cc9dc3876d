package org.ferry.replication.run;

import java.time.Instant;

/** A run as the database holds it. */
public record RunRecord(String id, String job, String trigger, String status, boolean listed,
                        boolean listingComplete, int continued, Instant startedAt, Instant finishedAt,
                        Counts counts, String message) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    /** Finished, but some image failed or conflicted, or a source could not be listed completely. */
    public static final String PARTIAL = "partial";
    /** Stopped by an error that concerns the whole run (login, target unreachable). */
    public static final String FAILED = "failed";

    public boolean running() {
        return RUNNING.equals(status);
    }

    public RunRecord withCounts(Counts c) {
        return new RunRecord(id, job, trigger, status, listed, listingComplete, continued, startedAt, finishedAt, c,
                message);
    }

    /** Per-outcome numbers of a run; {@code seen} is the number of source images listed. */
    public record Counts(int seen, int pending, int copied, int updated, int skipped, int conflicts, int failed,
                         int vanished, int deleted, long bytes) {
        public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        /** Images handled so far (source and vanished ones). */
        public int done() {
            return copied + updated + skipped + conflicts + failed + vanished + deleted;
        }
    }
}
