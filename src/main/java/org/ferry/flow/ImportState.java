package org.ferry.flow;

import org.ferry.auth.RequestContext;
import org.ferry.catalog.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * One run of an import flow, carried through the route as an exchange property: what the run was asked to do (final,
 * set by {@link ImportFlow#begin}) and the steps it started with their results, which later steps read by type
 * ({@link #result}) and each revert gets back.
 */
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
    /** Started steps, newest first. */
    private final Deque<Started<?>> started = new ArrayDeque<>();
    private boolean reverted;

    /** A started step and, once its execute returned, its result. */
    private static final class Started<R> {
        final FlowStep<R> step;
        R result;
        boolean finished;

        Started(FlowStep<R> step) {
            this.step = step;
        }

        void revert(ImportState state) {
            step.revert(state, finished ? result : null);
        }
    }

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
    public List<String> recorded(Collection<String> stores) {
        return recordStores ? List.copyOf(stores) : List.of();
    }

    /** Records the step as started, runs it and keeps its result. */
    <R> R run(FlowStep<R> step) throws Exception {
        Started<R> s = new Started<>(step);
        started.push(s);
        s.result = step.execute(this);
        s.finished = true;
        return s.result;
    }

    /** The newest result of this type that a finished step produced. */
    public <T> Optional<T> result(Class<T> type) {
        for (Started<?> s : started) {
            if (s.finished && type.isInstance(s.result)) {
                return Optional.of(type.cast(s.result));
            }
        }
        return Optional.empty();
    }

    /**
     * Reverts every started step once, newest first; a revert that throws is logged and the others still run. The
     * results stay readable (the run's metrics report the bytes moved).
     */
    void revertStartedSteps() {
        if (reverted) {
            return;
        }
        reverted = true;
        for (Started<?> s : started) {
            try {
                s.revert(this);
            } catch (RuntimeException e) {
                LOG.error("task {}: revert of {} failed", taskId(), s.step.name(), e);
            }
        }
    }
}
