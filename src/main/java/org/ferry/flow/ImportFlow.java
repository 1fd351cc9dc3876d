package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;
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
import java.util.Optional;

/**
 * The glue the import routes call around their steps: {@link #begin} loads the task into the flow state,
 * {@link #revert} undoes the started steps newest first and leaves the image as it was before the import, and
 * {@link #cleanUpDeadTask} does the same for a task whose process died.
 */
public final class ImportFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ImportFlow.class);
    private static final ObjectMapper JSON = Jackson.MAPPER;
    /** The type of the tasks POST /v2/tasks creates (Glance's deprecated legacy import). */
    public static final String LEGACY_IMPORT = "import";
    /** Exchange property {@link #revert} sets: the run ended in failure though its exchange did not. */
    private static final String REVERTED = "ferryImportReverted";

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

    /** Route entry: the body is the task id; sets the flow state and the {@code importMethod} property. */
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
        exchange.setProperty("importMethod", request.method());
        if (recovering) {
            LOG.info("task {}: resuming import of image {} after a restart", taskId, task.imageId());
            purgePartials(state.imageId(), targets, request);
        }
        observe(exchange, state);
    }

    /** Reports the run to the observer once its exchange is done, however it ends (the routes catch failures). */
    private void observe(Exchange exchange, ImportState state) {
        String method = state.request.method();
        long start = System.nanoTime();
        observer.started(method);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                boolean ok = done.getException() == null && !done.getProperty(REVERTED, false, Boolean.class);
                observer.finished(method, ok, state.digests == null ? 0 : state.digests.size(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        });
    }

    /** Route end on success. */
    public void end(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        callers.remove(state.taskId());
        MDC.remove("request_id");
    }

    /** Route error handler: revert the started steps, restore the image, fail the task with the real cause. */
    public void revert(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = describe(cause);
        exchange.setProperty(REVERTED, true);
        if (state == null) {
            LOG.error("import failed before its state was loaded: {}", message, cause);
            return;
        }
        LOG.warn("task {}: import of image {} failed: {}", state.taskId(), state.imageId(), message,
                cause instanceof ImportFailure ? null : cause);
        state.revertStartedSteps();
        if (isLegacy(state.task)) {
            discardImage(state.imageId());
        } else {
            restoreImage(state.imageId(), state.request, state.targets, state.recordStores);
        }
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
            purgePartials(task.imageId(), targets, request);
            if (isLegacy(task)) {
                discardImage(task.imageId());
            } else {
                restoreImage(task.imageId(), request, targets, stores.multistore());
            }
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
     * The import request a task runs: its import_req, or for a legacy import task a web-download of its
     * {@code import_from}, so that both go through the same steps (URI filtering on every hop included).
     */
    static ImportRequest request(Task task, JsonNode input) {
        if (isLegacy(task)) {
            ObjectNode req = JSON.createObjectNode();
            req.putObject("method").put("name", ImportRequest.WEB_DOWNLOAD)
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
     * A failed legacy import task deletes the image it created (Glance's revert of its image-creation step), with
     * whatever data it still has in a store; staged and half-written files are gone by now.
     */
    private void discardImage(String imageId) {
        Optional<Image> found = images.find(imageId);
        if (found.isEmpty()) {
            return;
        }
        for (org.ferry.catalog.Location l : found.get().locations) {
            stores.forLocation(l.storeId(), l.url()).ifPresent(s -> {
                try {
                    s.delete(l.url());
                } catch (IOException e) {
                    LOG.warn("image {}: could not delete {} from store {}: {}", imageId, l.url(), s.id(), e.toString());
                }
            });
        }
        if (images.softDelete(imageId)) {
            LOG.info("image {}: deleted, its import task failed", imageId);
        }
    }

    /** Removes half-written files of an image: hidden temporary files in the target stores, and (downloads) staging. */
    private void purgePartials(String imageId, List<String> targets, ImportRequest request) {
        stores.staging().purgePartials(imageId);
        if (request.downloads() || request.method().equals(ImportRequest.COPY_IMAGE)) {
            try {
                StagedDigests.delete(stores.staging().pathOf(imageId));
            } catch (IOException e) {
                LOG.warn("image {}: could not remove staged data: {}", imageId, e.toString());
            }
        }
        for (String id : targets) {
            stores.get(id).filter(s -> s instanceof FileStore).map(s -> (FileStore) s)
                    .ifPresent(s -> s.purgePartials(imageId));
        }
    }

    /**
     * What a failed import leaves: web-/glance-download back to queued with no data; glance-direct back to
     * uploading with its staged data; copy-image still active. The targets leave os_glance_importing_to_stores and
     * go to os_glance_failed_import unless they hold the data.
     */
    private void restoreImage(String imageId, ImportRequest request, List<String> targets, boolean recordStores) {
        Optional<Image> found = images.find(imageId);
        if (found.isEmpty()) {
            return;
        }
        Image img = found.get();
        ImageStatus from = img.status;
        if (ImageStatus.IMPORTING.equals(img.status)) {
            if (request.method().equals(ImportRequest.GLANCE_DIRECT)
                    && stores.staging().pathOf(imageId).toFile().exists()) {
                img.status = ImageStatus.UPLOADING;
            } else if (!request.method().equals(ImportRequest.COPY_IMAGE)) {
                img.status = ImageStatus.QUEUED;
                img.clearData();
            }
        }
        if (recordStores) {
            List<String> held = img.storeIds();
            StoreLists.remove(img, StoreLists.IMPORTING, targets);
            StoreLists.add(img, StoreLists.FAILED, targets.stream().filter(t -> !held.contains(t)).toList());
        } else {
            img.properties.putIfAbsent(StoreLists.IMPORTING, "");
            img.properties.putIfAbsent(StoreLists.FAILED, "");
        }
        if (!images.save(img, from)) {
            LOG.warn("image {} changed while its failed import was being reverted", imageId);
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
