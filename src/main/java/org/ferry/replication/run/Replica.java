package org.ferry.replication.run;

/** An image a job keeps in step: its source id, its target id, and whether the job created that copy. */
public record Replica(String job, String sourceId, String targetId, String sourceRegion, boolean createdCopy) {
}
