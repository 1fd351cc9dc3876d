package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.Digests;

import java.time.Duration;

/** Last step of a location import: the task succeeds with the image id as result, and the lock is released. */
public final class CompleteLocationImport extends FlowStep<Void> {
    private final TaskRepository tasks;
    private final ImageRepository images;
    private final Duration timeToLive;

    public CompleteLocationImport(TaskRepository tasks, ImageRepository images, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.timeToLive = timeToLive;
    }

    @Override
    protected Void execute(ImportState s) {
        // a hash problem of an active image was written to the message already; keep it
        String message = s.result(Digests.class).map(d -> "Hashed " + (d.size() >> 20) + " MiB")
                .orElseGet(() -> tasks.find(s.taskId()).map(Task::message).orElse(""));
        tasks.finish(s.taskId(), Task.SUCCESS, "{\"image_id\": \"" + s.imageId() + "\"}", message,
                ImageRepository.now().plus(timeToLive));
        images.deletePropertyIfValue(s.imageId(), StoreLists.LOCK, s.taskId());
        return null;
    }
}
