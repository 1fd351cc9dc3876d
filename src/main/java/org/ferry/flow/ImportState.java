package org.ferry.flow;

import org.ferry.auth.RequestContext;
import org.ferry.catalog.Task;
import org.ferry.data.Digests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one run of an import flow knows and has done; carried through the route as an exchange property. */
public final class ImportState {
    private static final Logger LOG = LoggerFactory.getLogger(ImportState.class);
    public static final String PROPERTY = "ferryImport";

    public final Task task;
    public final ImportRequest request;
    /** Target store ids, in request order. */
    public final List<String> targets;
    /** Whether store ids are recorded in the os_glance_* lists (multistore only, as Glance). */
    public final boolean recordStores;
    /** The caller, when the run still has it (a run recovered after a restart has no token). */
    public final RequestContext caller;
    public final boolean recovering;
    final Deque<FlowStep> started = new ArrayDeque<>();

    public Path staged;
    public Digests digests;
    /** Remote image size and digests to verify the download against (glance-download). */
    public Long expectedSize;
    public String expectedMd5;
    public String expectedHash;
    /** The image's extra properties and formats before the metadata step, for its revert. */
    public Map<String, String> propertiesBefore;
    public String diskFormatBefore;
    public String containerFormatBefore;
    public final Set<String> committed = new LinkedHashSet<>();
    public final Set<String> failedStores = new LinkedHashSet<>();
    public final List<Long> newLocations = new ArrayList<>();

    public ImportState(Task task, ImportRequest request, List<String> targets, boolean recordStores,
                       RequestContext caller, boolean recovering) {
        this.task = task;
        this.request = request;
        this.targets = List.copyOf(targets);
        this.recordStores = recordStores;
        this.caller = caller;
        this.recovering = recovering;
    }

    public String imageId() {
        return task.imageId();
    }

    public String taskId() {
        return task.id();
    }

    /** The store ids as written into the bookkeeping lists: none in single-store mode. */
    public List<String> recorded(java.util.Collection<String> stores) {
        return recordStores ? List.copyOf(stores) : List.of();
    }

    /** Reverts every started step, newest first; a revert that throws is logged and the others still run. */
    void revertStartedSteps() {
        while (!started.isEmpty()) {
            FlowStep step = started.pop();
            try {
                step.revert(this);
            } catch (RuntimeException e) {
                LOG.error("task {}: revert of {} failed", taskId(), step.name(), e);
            }
        }
    }
}
