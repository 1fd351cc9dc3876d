package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

import java.time.Duration;

/** Last step: the task succeeds with the image id as result, and the import lock is released. */
public final class CompleteTask extends FlowStep {
    private final TaskRepository tasks;
    private final ImageRepository images;
    private final Duration timeToLive;

    public CompleteTask(TaskRepository tasks, ImageRepository images, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.timeToLive = timeToLive;
    }

    @Override
    protected void execute(ImportState s) {
        long mib = s.digests == null ? 0 : s.digests.size() >> 20;
        tasks.finish(s.taskId(), Task.SUCCESS, "{\"image_id\": \"" + s.imageId() + "\"}", "Copied " + mib + " MiB",
                ImageRepository.now().plus(timeToLive));
        images.deletePropertyIfValue(s.imageId(), StoreLists.LOCK, s.taskId());
    }
}
