package org.ferry.flow;

import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;

/**
 * Refreshes a task's message while bytes move, at most every 5 seconds, as "Copied N MiB of M MiB (R MiB/s)".
 * Each refresh also renews the task's updated_at, which keeps its import lock fresh.
 */
public final class TaskProgress implements DataMover.Progress {
    private static final long INTERVAL_NANOS = 5_000_000_000L;

    private final TaskRepository tasks;
    private final String taskId;
    private final Long total;
    private final long startNanos = System.nanoTime();
    private long lastReport = startNanos;
    private long lastBytes;

    public TaskProgress(TaskRepository tasks, String taskId, Long total) {
        this.tasks = tasks;
        this.taskId = taskId;
        this.total = total;
    }

    @Override
    public void moved(long bytes) {
        lastBytes = bytes;
        long now = System.nanoTime();
        if (now - lastReport >= INTERVAL_NANOS) {
            lastReport = now;
            tasks.updateMessage(taskId, message(bytes, now));
        }
    }

    /** The final "Copied N MiB" of a finished transfer, kept after success as Glance does. */
    public void done() {
        tasks.updateMessage(taskId, "Copied " + (lastBytes >> 20) + " MiB");
    }

    String message(long bytes, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        String rate = String.format(java.util.Locale.ROOT, "%.1f", bytes / seconds / (1 << 20));
        return "Copied " + (bytes >> 20) + " MiB" + (total == null ? "" : " of " + (total >> 20) + " MiB")
                + " (" + rate + " MiB/s)";
    }
}
