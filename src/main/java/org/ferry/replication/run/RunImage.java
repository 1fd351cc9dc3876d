package org.ferry.replication.run;

import java.time.Instant;

/**
 * One image in a run: a listed source image ({@code kind} source, with the listed view) or an earlier copy whose
 * source vanished ({@code kind} vanished, with the target id).
 */
public record RunImage(String runId, String imageId, String kind, String sourceRegion, String name, Long size,
                       String sourceView, ImageOutcome status, String targetId, long bytes, String detail,
                       Instant updatedAt) {
    public static final String SOURCE = "source";
    public static final String VANISHED = "vanished";

    public boolean vanished() {
        return VANISHED.equals(kind);
    }
}
