package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.Digests;

import java.time.Duration;

/** Last step of a location import: as {@link CompleteTask}, with what was hashed as its message. */
public final class CompleteLocationImport extends CompleteTask {
    public CompleteLocationImport(TaskRepository tasks, ImageRepository images, Duration timeToLive) {
        super(tasks, images, timeToLive);
    }

    @Override
    protected String message(ImportState s) {
        // a hash problem of an active image was written to the message already; keep it
        return s.result(Digests.class).map(d -> "Hashed " + (d.size() >> 20) + " MiB")
                .orElseGet(() -> tasks.find(s.taskId()).map(Task::message).orElse(""));
    }
}
