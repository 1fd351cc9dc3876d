package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

/** Step 1: the task must own the image's import lock; the task starts processing. */
public final class LockImage extends FlowStep<Void> {
    private final ImportLock lock;
    private final TaskRepository tasks;

    public LockImage(ImageRepository images, TaskRepository tasks) {
        this.lock = new ImportLock(images);
        this.tasks = tasks;
    }

    @Override
    protected Void execute(ImportState s) throws ImportFailure {
        lock.image(s);
        tasks.moveStatus(s.taskId(), Task.PENDING, Task.PROCESSING);
        return null;
    }
}
