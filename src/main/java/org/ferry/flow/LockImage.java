package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

/** Step 1: the task must own the image's import lock; the task starts processing. */
public final class LockImage extends FlowStep {
    private final ImageRepository images;
    private final TaskRepository tasks;

    public LockImage(ImageRepository images, TaskRepository tasks) {
        this.images = images;
        this.tasks = tasks;
    }

    @Override
    protected void execute(ImportState s) throws ImportFailure {
        Image img = images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
        String owner = img.properties.get(StoreLists.LOCK);
        if (!s.taskId().equals(owner)) {
            throw new ImportFailure("the import lock of image " + s.imageId() + " is held by "
                    + (owner == null ? "nobody" : "task " + owner) + ", not by this task");
        }
        tasks.moveStatus(s.taskId(), Task.PENDING, Task.PROCESSING);
    }
}
