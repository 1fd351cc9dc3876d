package org.ferry.replication.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.ferry.remote.GlanceImage;

/**
 * One image of a run on its way through the image route: what was listed, what the target holds, what the decide
 * step chose, and how it ended.
 */
public final class ImageWork {
    /** What the image route does after deciding (the route's choice reads {@link #getAction}). */
    public enum Action {
        /** Create (or reuse a queued copy of ours) and import with glance-download. */
        COPY,
        /** Same data, changed metadata: PATCH. */
        UPDATE,
        /** The source vanished and on_source_deleted = delete: delete the copy. */
        DELETE,
        /** Nothing to do; the outcome is already set. */
        NONE
    }

    private final RunContext run;
    private final RunImage record;
    private final GlanceImage source;
    private volatile Action action = Action.NONE;
    private volatile GlanceImage target;
    private volatile String targetId;
    private volatile boolean createTarget;
    private volatile boolean awaitRunningImport;
    private volatile boolean finishesEarlierCopy;
    private volatile ArrayNode patch;
    private volatile ImageOutcome outcome;
    private volatile String detail;
    private volatile long bytes;

    ImageWork(RunContext run, RunImage record) {
        this.run = run;
        this.record = record;
        this.source = record.sourceView() == null ? null : GlanceImage.fromJson(record.sourceView());
        this.targetId = record.targetId();
    }

    public RunContext run() {
        return run;
    }

    public RunImage record() {
        return record;
    }

    /** The listed source image (null for a vanished one). */
    public GlanceImage source() {
        return source;
    }

    public String imageId() {
        return record.imageId();
    }

    public String getAction() {
        return action.name();
    }

    public Action action() {
        return action;
    }

    public GlanceImage target() {
        return target;
    }

    public String targetId() {
        return targetId;
    }

    public boolean createTarget() {
        return createTarget;
    }

    public boolean awaitRunningImport() {
        return awaitRunningImport;
    }

    /** The target already holds this image's data from a copy the interrupted run started. */
    public boolean finishesEarlierCopy() {
        return finishesEarlierCopy;
    }

    public ArrayNode patch() {
        return patch;
    }

    public ImageOutcome outcome() {
        return outcome;
    }

    public String detail() {
        return detail;
    }

    public long bytes() {
        return bytes;
    }

    void target(GlanceImage t) {
        this.target = t;
        if (t != null) {
            this.targetId = t.id();
        }
    }

    void targetId(String id) {
        this.targetId = id;
    }

    void copy(boolean create, boolean awaitRunning) {
        this.action = Action.COPY;
        this.createTarget = create;
        this.awaitRunningImport = awaitRunning;
    }

    void update(ArrayNode ops, boolean finishesEarlierCopy) {
        this.action = Action.UPDATE;
        this.patch = ops;
        this.finishesEarlierCopy = finishesEarlierCopy;
    }

    void delete() {
        this.action = Action.DELETE;
    }

    void done(ImageOutcome o, String why, long movedBytes) {
        this.outcome = o;
        this.detail = why;
        this.bytes = movedBytes;
    }

    /** A short name for logs and messages. */
    public String label() {
        String name = source != null ? source.name() : record.name();
        return record.imageId() + (name == null ? "" : " (" + name + ")");
    }

    @Override
    public String toString() {
        return "image " + label() + " of " + run;
    }
}
