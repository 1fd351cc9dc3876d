package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

/**
 * Location import, step 1 (glance {@code _ImageLock}): the task must hold the image's import lock
 * ({@code os_glance_import_task}); the task starts processing. The lock is released by the last step or the revert.
 */
public final class OwnLocationLock extends FlowStep {
    private final ImageRepository images;
    private final TaskRepository tasks;

    OwnLocationLock(ImageRepository images, TaskRepository tasks) {
        this.images = images;
        this.tasks = tasks;
    }

    @Override
    protected void execute(ImportState s) throws ImportFailure {
        Image img = AddLocation.image(s, images);
        String owner = img.properties.get(StoreLists.LOCK);
        if (!s.taskId().equals(owner)) {
            throw new ImportFailure("the import lock of image " + s.imageId() + " is held by "
                    + (owner == null ? "nobody" : "task " + owner) + ", not by this task");
        }
        tasks.moveStatus(s.taskId(), Task.PENDING, Task.PROCESSING);
    }
}
