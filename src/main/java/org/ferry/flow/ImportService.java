package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Refused;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.json.Jackson;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The facade the import API calls: the import lock (atomic insert-if-absent, stale-lock takeover), the task row,
 * the synchronous move to importing, and the durable job that runs the route.
 */
public final class ImportService {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);
    private static final ObjectMapper JSON = Jackson.MAPPER;
    static final Duration LOCK_EXPIRY = Duration.ofMinutes(60);
    static final Duration PENDING_LOCK_EXPIRY = Duration.ofMinutes(120);

    private final ImageRepository images;
    private final TaskRepository tasks;
    private final ImportFlow flow;
    private final Callers callers;
    private final ImportScheduler scheduler;
    private final Clock clock;

    public ImportService(ImageRepository images, TaskRepository tasks, ImportFlow flow, Callers callers,
                         ImportScheduler scheduler, Clock clock) {
        this.images = images;
        this.tasks = tasks;
        this.flow = flow;
        this.callers = callers;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** The task holding the image's import lock, if the lock is held and not stale. */
    public Optional<String> liveLock(Image img) {
        String owner = img.properties.get(StoreLists.LOCK);
        if (owner == null) {
            return Optional.empty();
        }
        Optional<Task> t = tasks.find(owner);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Duration limit = Task.PENDING.equals(t.get().status()) ? PENDING_LOCK_EXPIRY : LOCK_EXPIRY;
        boolean stale = t.get().updatedAt().plus(limit).isBefore(clock.instant());
        return stale ? Optional.empty() : Optional.of(owner);
    }

    /**
     * Takes over a stale lock: the lock is dropped atomically (losing that race is a 409), then the dead task's
     * leftovers are reverted (the image goes back to queued or uploading). Glance leaves such an image stuck in
     * importing.
     *
     * @return true if a stale lock was removed
     */
    public boolean takeOverStaleLock(Image img) throws Refused {
        String owner = img.properties.get(StoreLists.LOCK);
        if (owner == null || liveLock(img).isPresent()) {
            return false;
        }
        Optional<Task> dead = tasks.find(owner);
        // whoever removes the stale lock owns the clean-up: a concurrent request that lost this race must not
        // revert the image (or purge staged data) under an import the winner has started meanwhile
        if (!images.deletePropertyIfValue(img.id, StoreLists.LOCK, owner)) {
            throw new Refused(409, "Image has active task");
        }
        LOG.info("image {}: took over the stale import lock of task {}", img.id, owner);
        dead.ifPresent(t -> flow.cleanUpDeadTask(t, "Expired lock preempted"));
        return true;
    }

    /**
     * Records the task, takes the lock, moves the image to importing (not for copy-image) with its target stores in
     * os_glance_importing_to_stores, and schedules the job; all before the API answers 202.
     *
     * @param targets     target store ids (the default store when single-store)
     * @param recordStores whether store ids go into the bookkeeping lists (multistore)
     * @return the task id
     */
    public String start(RequestContext ctx, Image img, ObjectNode importReq, List<String> targets,
                        boolean recordStores) throws Refused {
        String method = importReq.path("method").path("name").asText();
        String taskId = UUID.randomUUID().toString();
        ObjectNode input = JSON.createObjectNode();
        input.put("image_id", img.id);
        input.set("import_req", importReq);
        ArrayNode backend = input.putArray("backend");
        targets.forEach(backend::add);
        Instant now = ImageRepository.now();
        tasks.create(new Task(taskId, "api_image_import", Task.PENDING, ctx.projectId(), img.id, ctx.requestId(),
                ctx.userId(), input.toString(), null, "", null, now, now));
        if (!images.setPropertyIfAbsent(img.id, StoreLists.LOCK, taskId)) {
            tasks.finish(taskId, Task.FAILURE, null, "another import holds the image's lock", flow.expiry());
            throw new Refused(409, "New operation on image '" + img.id
                    + "' is not permitted as prior operation is still in progress");
        }
        Image current = images.find(img.id).orElse(null);
        if (current == null) {
            tasks.finish(taskId, Task.FAILURE, null, "image was deleted", flow.expiry());
            throw new Refused(404, "No image found with ID " + img.id);
        }
        ImageStatus from = current.status;
        if (!ImportMethod.COPY_IMAGE.wireName().equals(method)) {
            current.status = ImageStatus.IMPORTING;
        }
        List<String> recorded = recordStores ? targets : List.of();
        StoreLists.add(current, StoreLists.IMPORTING, recorded);
        StoreLists.remove(current, StoreLists.FAILED, recorded);
        current.properties.remove("os_glance_stage_host");
        if (!from.equals(img.status) || !images.save(current, from)) {
            images.deletePropertyIfValue(img.id, StoreLists.LOCK, taskId);
            tasks.finish(taskId, Task.FAILURE, null, "image changed status while the import was accepted",
                    flow.expiry());
            throw new Refused(409, "Image " + img.id + " changed status while the import was being accepted");
        }
        runInBackground(taskId, img.id, ctx);
        LOG.info("task {}: {} import of image {} to {} accepted", taskId, method, img.id, targets);
        return taskId;
    }

    /**
     * POST /v2/tasks with type {@code import} (Glance's deprecated legacy import): the task row, then the image built
     * from the task's image_properties, created already importing and holding the task's import lock, then the
     * durable job. The job runs the web-download flow on that image ({@link ImportFlow#begin}); a failure deletes
     * the image, as Glance's revert of its image-creation step does.
     *
     * @param img    the new image, not yet in the catalog
     * @param input  the task input as the caller sent it (kept in the task)
     * @param target the store the data goes to (the default store, as Glance's legacy import)
     * @return the task as recorded
     */
    public Task startTaskImport(RequestContext ctx, Image img, JsonNode input, String target, boolean recordStores)
            throws Refused {
        String taskId = UUID.randomUUID().toString();
        Instant now = ImageRepository.now();
        Task task = new Task(taskId, ImportFlow.LEGACY_IMPORT, Task.PENDING, ctx.projectId(), img.id, ctx.requestId(),
                ctx.userId(), input.toString(), null, "", null, now, now);
        tasks.create(task);
        img.status = ImageStatus.IMPORTING;
        img.properties.put(StoreLists.LOCK, taskId);
        StoreLists.add(img, StoreLists.IMPORTING, recordStores ? List.of(target) : List.of());
        img.properties.putIfAbsent(StoreLists.FAILED, "");
        try {
            images.create(img);
        } catch (RuntimeException e) {
            boolean duplicate = images.exists(img.id);
            tasks.finish(taskId, Task.FAILURE, null, duplicate ? "image " + img.id + " already exists"
                    : "the image could not be created: " + e.getMessage(), flow.expiry());
            if (duplicate) {
                throw new Refused(409, "Image with identifier " + img.id + " already exists!");
            }
            throw e;
        }
        runInBackground(taskId, img.id, ctx);
        LOG.info("task {}: legacy import task creates image {} from {} into {}", taskId, img.id,
                input.path("import_from").asText(), target);
        // the task as created, as Glance answers: a re-read could already show the job's 'processing'
        return task;
    }

    /** At start-up: tasks that never got a job (or lost it) are cleaned up, so no image stays importing. */
    public void sweepOrphans() throws SchedulerException {
        for (Task t : tasks.unfinished()) {
            if (!scheduler.hasJob(t.id())) {
                LOG.warn("task {}: unfinished without a job; reverting image {}", t.id(), t.imageId());
                flow.cleanUpDeadTask(t, "Ferry stopped before this import could run; start the import again");
                images.deletePropertyIfValue(t.imageId(), StoreLists.LOCK, t.id());
            }
        }
    }

    /**
     * Hands the task to the import job runner with the caller's context; if the job cannot be scheduled, the task is
     * cleaned up as a dead one (image restored, task failed), the lock released, and the caller gets 500.
     */
    private void runInBackground(String taskId, String imageId, RequestContext ctx) throws Refused {
        callers.put(taskId, ctx);
        try {
            scheduler.schedule(taskId);
        } catch (SchedulerException e) {
            LOG.error("task {}: could not schedule the import job", taskId, e);
            tasks.find(taskId).ifPresent(t -> flow.cleanUpDeadTask(t, "the import job could not be scheduled: " + e));
            images.deletePropertyIfValue(imageId, StoreLists.LOCK, taskId);
            throw new Refused(500, "The import could not be scheduled.");
        }
    }
}
