package org.ferry.replication.run;

import java.util.Locale;
import java.util.Set;

/** Where an image stands in a run (the status column of replication_run_images). */
public enum ImageOutcome {
    /** Listed, not yet handled. */
    PENDING,
    /** The copy was started (the target image may exist, queued or importing): a continued run finishes it. */
    COPYING,
    COPIED,
    /** Present with the same data; its changed metadata was brought up to date. */
    UPDATED,
    /** Nothing to do (already identical), or not eligible (source not active). */
    SKIPPED,
    /** Present in the target with different data: reported, never overwritten. */
    CONFLICT,
    FAILED,
    /** Copied earlier, gone from every source's selection: reported (on_source_deleted = report). */
    VANISHED,
    /** Copied earlier, gone from every source's selection: deleted from the target (on_source_deleted = delete). */
    DELETED;

    public static final Set<ImageOutcome> OPEN = Set.of(PENDING, COPYING);

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ImageOutcome of(String db) {
        return valueOf(db.toUpperCase(Locale.ROOT));
    }

    public boolean open() {
        return OPEN.contains(this);
    }
}
