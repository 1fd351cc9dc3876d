package org.ferry.flow;

import org.ferry.store.LocationUrls;

import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.catalog.Refused;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The facade POST /v2/images/{id}/locations calls: the import lock (shared with imports, {@code
 * os_glance_import_task}), the {@code location_import} task row and its durable job, which the import job runner
 * dispatches to {@code direct:import-location-import}.
 */
public final class LocationImports {
    private static final Logger LOG = LoggerFactory.getLogger(LocationImports.class);

    private final ImageRepository images;
    private final TaskRepository tasks;
    private final ImportService imports;
    private final ImportScheduler scheduler;
    private final Duration timeToLive;

    public LocationImports(ImageRepository images, TaskRepository tasks, ImportService imports,
                           ImportScheduler scheduler, Duration timeToLive) {
        this.images = images;
        this.tasks = tasks;
        this.imports = imports;
        this.scheduler = scheduler;
        this.timeToLive = timeToLive;
    }

    /** Whether the image's lock is held by a task that is still alive. */
    public boolean locked(Image img) {
        return imports.liveLock(img).isPresent();
    }

    /**
     * Takes over a stale lock (see {@link ImportService#takeOverStaleLock}). A dead location import that never got
     * its image active first loses the location it added, so the image is queued without data again.
     *
     * @return true if a stale lock was removed
     */
    public boolean takeOverStaleLock(Image img) throws Refused {
        String owner = img.properties.get(StoreLists.LOCK);
        if (owner == null || locked(img)) {
            return false;
        }
        Optional<Task> dead = tasks.find(owner).filter(LocationJob::isLocationTask);
        if (!imports.takeOverStaleLock(img)) {
            return false;
        }
        // only the request that removed the stale lock cleans up after it
        Optional<Image> now = images.find(img.id);
        if (dead.isPresent() && now.isPresent() && !ImageStatus.ACTIVE.equals(now.get().status)) {
            String url = LocationJob.of(dead.get()).url();
            for (Location l : now.get().locations) {
                if (l.url().equals(url)) {
                    images.removeLocation(l.id());
                }
            }
        }
        return true;
    }

    /**
     * Records the task, takes the lock and schedules the job; the API answers 202 after this.
     *
     * @return the task id
     */
    public String start(RequestContext ctx, Image img, String url, String hashAlgo, String hashValue)
            throws Refused {
        String taskId = UUID.randomUUID().toString();
        LocationJob job = new LocationJob(img.id, url, hashAlgo, hashValue);
        var now = ImageRepository.now();
        tasks.create(new Task(taskId, LocationJob.TASK_TYPE, Task.PENDING, ctx.projectId(), img.id, ctx.requestId(),
                ctx.userId(), job.toInput().toString(), null, "", null, now, now));
        if (!images.setPropertyIfAbsent(img.id, StoreLists.LOCK, taskId)) {
            tasks.finish(taskId, Task.FAILURE, null, "another operation holds the image's lock",
                    ImageRepository.now().plus(timeToLive));
            throw new Refused(409, "New operation on image '" + img.id
                    + "' is not permitted as prior operation is still in progress");
        }
        try {
            scheduler.schedule(taskId);
        } catch (SchedulerException e) {
            LOG.error("task {}: could not schedule the location import job", taskId, e);
            tasks.finish(taskId, Task.FAILURE, null, "the location import job could not be scheduled: " + e,
                    ImageRepository.now().plus(timeToLive));
            images.deletePropertyIfValue(img.id, StoreLists.LOCK, taskId);
            throw new Refused(500, "The location import could not be scheduled.");
        }
        LOG.info("task {}: location {} for image {} accepted", taskId, LocationUrls.shown(url), img.id);
        return taskId;
    }
}
