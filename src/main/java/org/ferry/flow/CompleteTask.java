package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

import java.time.Duration;

/**
 * Last step of an import: the task succeeds with the image id as result and a message saying what was moved, and
 * the import lock is released. Each kind of import says only what its message is.
 */
public class CompleteTask extends FlowStep<Void> {
    protected final TaskRepository tasks;
    private final ImageRepository images;
    private final Duration timeToLive;

    public CompleteTask(TaskRepository tasks, ImageRepository images, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.timeToLive = timeToLive;
    }

    /** The task's success message: how much data the import copied. */
    protected String message(ImportState s) {
        long mib = s.result(StagedData.class).map(d -> d.digests().size() >> 20).orElse(0L);
        return "Copied " + mib + " MiB";
    }

    @Override
    protected final Void execute(ImportState s) {
        String message = message(s);
        tasks.finish(s.taskId(), Task.SUCCESS, "{\"image_id\": \"" + s.imageId() + "\"}", message,
                ImageRepository.now().plus(timeToLive));
        images.deletePropertyIfValue(s.imageId(), StoreLists.LOCK, s.taskId());
        return null;
    }
}
