package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

import java.time.Duration;

/** Last step: the task succeeds with the image id as result, and the import lock is released. */
public final class CompleteTask extends FlowStep<Void> {
    private final TaskRepository tasks;
    private final ImageRepository images;
    private final Duration timeToLive;

    public CompleteTask(TaskRepository tasks, ImageRepository images, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.timeToLive = timeToLive;
    }

    @Override
    protected Void execute(ImportState s) {
        long mib = s.result(StagedData.class).map(d -> d.digests().size() >> 20).orElse(0L);
        tasks.finish(s.taskId(), Task.SUCCESS, "{\"image_id\": \"" + s.imageId() + "\"}", "Copied " + mib + " MiB",
                ImageRepository.now().plus(timeToLive));
        images.deletePropertyIfValue(s.imageId(), StoreLists.LOCK, s.taskId());
        return null;
    }
}
