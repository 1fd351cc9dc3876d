package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.Digests;
import org.ferry.data.StagedDigests;
import org.ferry.store.Store;
import org.ferry.store.StoreInUseException;
import org.ferry.store.StoreRegistry;
import org.ferry.json.Jackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The glue the import routes call around their steps: {@link #begin} loads the task into the flow state and picks
 * the route, {@link #revert} (the shared route configuration's error handler) undoes the started steps newest first,
 * the first of which leaves the image as the route's import method requires, and {@link #cleanUpDeadTask} does the
 * same for a task whose process died.
 */
public final class ImportFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ImportFlow.class);
    private static final ObjectMapper JSON = Jackson.MAPPER;
    /** The type of the tasks POST /v2/tasks creates (Glance's deprecated legacy import). */
    public static final String LEGACY_IMPORT = "import";
    /** Exchange property {@link #revert} sets: the run ended in failure though its exchange did not. */
    private static final String REVERTED = "ferryImportReverted";
    /**
     * How long a recovered import waits for its dead predecessor's unfinished write to be released: Ceph keeps a
     * crashed client's watch on an RBD image for osd_client_watch_timeout, 30 s by default.
     */
    private static final Duration DEAD_WRITER_PATIENCE = Duration.ofSeconds(90);
    /** Exchange property {@link #begin} sets: the route {@code direct:import-<route>} that runs the task. */
    public static final String ROUTE = "importRoute";
    /** The route of a legacy import task: web-download's steps, but a failure deletes the image. */
    static final String LEGACY_ROUTE = "legacy-web-download";

    private final ImageRepository images;
    private final TaskRepository tasks;
    private final StoreRegistry stores;
    private final Callers callers;
    private final Duration taskTimeToLive;
    private final ImportObserver observer;

    public ImportFlow(ImageRepository images, TaskRepository tasks, StoreRegistry stores, Callers callers,
                      Duration taskTimeToLive) {
        this(images, tasks, stores, callers, taskTimeToLive, ImportObserver.NONE);
    }

    public ImportFlow(ImageRepository images, TaskRepository tasks, StoreRegistry stores, Callers callers,
                      Duration taskTimeToLive, ImportObserver observer) {
        this.images = images;
        this.tasks = tasks;
        this.stores = stores;
        this.callers = callers;
        this.taskTimeToLive = taskTimeToLive;
        this.observer = observer;
    }

    /** Route entry: the body is the task id; sets the flow state and the {@link #ROUTE} property. */
    public void begin(Exchange exchange) throws IOException {
        String taskId = exchange.getMessage().getBody(String.class);
        boolean recovering = Boolean.TRUE.equals(exchange.getMessage().getHeader("recovering", Boolean.class));
        Task task = tasks.find(taskId).orElseThrow(() -> new IllegalStateException("no task " + taskId));
        MDC.put("request_id", task.requestId());
        JsonNode input = JSON.readTree(task.input());
        ImportRequest request = request(task, input);
        List<String> targets = targets(task, input);
        ImportState state = new ImportState(task, request, targets, stores.multistore(),
                callers.get(taskId).orElse(null), recovering);
        exchange.setProperty(ImportState.PROPERTY, state);
        exchange.setProperty(ROUTE, isLegacy(task) ? LEGACY_ROUTE : request.method().wireName());
        if (recovering) {
            LOG.info("task {}: resuming import of image {} after a restart", taskId, task.imageId());
            purgePartials(state.imageId(), targets, request, DEAD_WRITER_PATIENCE);
        }
        observe(exchange, state);
    }

    /** Reports the run to the observer once its exchange is done, however it ends (the routes catch failures). */
    private void observe(Exchange exchange, ImportState state) {
        String method = state.request.method().wireName();
        long start = System.nanoTime();
        observer.started(method);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                boolean ok = done.getException() == null && !done.getProperty(REVERTED, false, Boolean.class);
                observer.finished(method, ok, bytesMoved(state), Duration.ofNanos(System.nanoTime() - start));
            }
        });
    }

    /** The image data the run moved: staged (downloaded or copied) or, for a location, read to hash it. */
    private static long bytesMoved(ImportState state) {
        return state.result(StagedData.class).map(d -> d.digests().size())
                .or(() -> state.result(Digests.class).map(Digests::size)).orElse(0L);
    }

    /** Route end on success; after a failure Camel stops routing once the shared handler ({@link #revert}) ran. */
    public void end(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        callers.remove(state.taskId());
        MDC.remove("request_id");
    }

    /**
     * The import routes' error handler: revert the started steps (the first one puts the image back as its method
     * requires), fail the task with the real cause, release the lock.
     */
    public void revert(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = describe(cause);
        exchange.setProperty(REVERTED, true);
        if (state == null) {
            LOG.error("import failed before its state was loaded: {}", message, cause);
            return;
        }
        LOG.warn("task {}: {} of image {} failed: {}", state.taskId(), state.request.method(), state.imageId(), message,
                cause instanceof ImportFailure ? null : cause);
        state.revertStartedSteps();
        tasks.finish(state.taskId(), Task.FAILURE, null, message, ImageRepository.now().plus(taskTimeToLive));
        images.deletePropertyIfValue(state.imageId(), StoreLists.LOCK, state.taskId());
        callers.remove(state.taskId());
        MDC.remove("request_id");
    }

    /**
     * A task whose process died (found at start-up without a job, or holding a stale lock): remove its partial
     * data, put the image back, fail the task. The lock is left for the caller to take over or drop.
     */
    public void cleanUpDeadTask(Task task, String why) {
        try {
            JsonNode input = JSON.readTree(task.input());
            ImportRequest request = request(task, input);
            List<String> targets = targets(task, input);
            purgePartials(task.imageId(), targets, request, Duration.ZERO);
            new RestoreImageOnFailure(images, stores, outcomeOf(task, request))
                    .restoreDeadTask(task.imageId(), targets, stores.multistore());
        } catch (IOException | RuntimeException e) {
            LOG.error("task {}: cleaning up after it failed: {}", task.id(), e.toString());
        }
        if (!task.finished()) {
            tasks.finish(task.id(), Task.FAILURE, null, why, ImageRepository.now().plus(taskTimeToLive));
        }
        callers.remove(task.id());
    }

    private static boolean isLegacy(Task task) {
        return LEGACY_IMPORT.equals(task.type());
    }

    /**
     * What a dead task's image is put back to: what the first step of the task's route does on failure (a location
     * import's route reverts its own steps; its dead task's image goes back to queued). ImportRoutesTest checks
     * that this agrees with the route files.
     */
    static RestoreImageOnFailure.Outcome outcomeOf(Task task, ImportRequest request) {
        if (isLegacy(task)) {
            return RestoreImageOnFailure.Outcome.DELETED;
        }
        return switch (request.method()) {
            case GLANCE_DIRECT -> RestoreImageOnFailure.Outcome.UPLOADING;
            case COPY_IMAGE -> RestoreImageOnFailure.Outcome.ACTIVE;
            case WEB_DOWNLOAD, GLANCE_DOWNLOAD, LOCATION_IMPORT -> RestoreImageOnFailure.Outcome.QUEUED;
        };
    }

    /**
     * The import request a task runs: its import_req, or for a legacy import task a web-download of its
     * {@code import_from}, so that both go through the same steps (URI filtering on every hop included).
     */
    static ImportRequest request(Task task, JsonNode input) {
        if (isLegacy(task)) {
            ObjectNode req = JSON.createObjectNode();
            req.putObject("method").put("name", ImportMethod.WEB_DOWNLOAD.wireName())
                    .put("uri", input.path("import_from").asText());
            return ImportRequest.of(req);
        }
        return ImportRequest.of((ObjectNode) input.get("import_req"));
    }

    /** Target stores: the task input's backend list, or the default store for a legacy import (as Glance). */
    private List<String> targets(Task task, JsonNode input) {
        List<String> targets = new ArrayList<>();
        if (isLegacy(task)) {
            targets.add(stores.defaultStore().id());
        } else {
            input.path("backend").forEach(n -> targets.add(n.asText()));
        }
        return targets;
    }

    /**
     * Removes half-written data of an image: unfinished writes in the target stores, and (downloads) staging.
     *
     * @param patience how long to wait for a store whose unfinished write its dead writer still holds
     */
    private void purgePartials(String imageId, List<String> targets, ImportRequest request, Duration patience) {
        stores.staging().purgePartials(imageId);
        if (request.downloads() || request.method() == ImportMethod.COPY_IMAGE) {
            try {
                StagedDigests.delete(stores.staging().pathOf(imageId));
            } catch (IOException e) {
                LOG.warn("image {}: could not remove staged data: {}", imageId, e.toString());
            }
        }
        for (String id : targets) {
            stores.get(id).ifPresent(s -> purgeStore(s, imageId, patience));
        }
    }

    /**
     * Removes an unfinished write from one store; while its dead writer still holds it (an RBD watch lasts until
     * Ceph's osd_client_watch_timeout has passed), tries again every 2 s for {@code patience}. What stays is the
     * start-up sweep's.
     */
    private static void purgeStore(Store s, String imageId, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                s.purgePartials(imageId);
                return;
            } catch (StoreInUseException e) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn("image {}: the unfinished write in store {} is still held: {}", imageId, s.id(),
                            e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (IOException | RuntimeException e) { // the start-up sweep tries again
                LOG.warn("image {}: could not remove an unfinished write from store {}: {}", imageId, s.id(),
                        e.toString());
                return;
            }
        }
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "the import failed for an unknown reason";
        }
        if (t instanceof ImportFailure || t instanceof org.ferry.remote.RemoteFailure) {
            return t.getMessage();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    public Instant expiry() {
        return ImageRepository.now().plus(taskTimeToLive);
    }
}
