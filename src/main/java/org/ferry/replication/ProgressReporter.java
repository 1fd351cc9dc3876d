package org.ferry.replication;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CLI's progress bar: images done out of the run's images, with the bytes copied so far (including copies
 * under way, as the target's import tasks report them) and the outcome counts in the bar's message.
 */
public final class ProgressReporter implements RunListener {
    private final PrintWriter out;
    private final String task;
    private final int width;
    private final AtomicInteger copied = new AtomicInteger();
    private final AtomicInteger updated = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger conflicts = new AtomicInteger();
    private final AtomicLong doneBytes = new AtomicLong();
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private volatile long openBytes;
    private volatile ProgressBar bar;

    public ProgressReporter(PrintWriter out, String task, int width) {
        this.out = out;
        this.task = task;
        this.width = width;
    }

    @Override
    public void listed(RunRecord.Counts counts, int open, long openBytes) {
        this.openBytes = openBytes;
        copied.set(counts.copied());
        updated.set(counts.updated());
        failed.set(counts.failed());
        conflicts.set(counts.conflicts());
        doneBytes.set(counts.bytes());
        int done = counts.done();
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(done + open).setUnit(" images", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate()
                .setConsumer(new WriterConsumer(out, width)).startsFrom(done, java.time.Duration.ZERO).build();
        refresh();
    }

    @Override
    public void copying(ImageWork work, long bytesSoFar) {
        inFlight.put(work.imageId(), bytesSoFar);
        refresh();
    }

    @Override
    public void imageDone(ImageWork work) {
        inFlight.remove(work.imageId());
        switch (work.outcome()) {
            case COPIED -> copied.incrementAndGet();
            case UPDATED -> updated.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case CONFLICT -> conflicts.incrementAndGet();
            default -> {
            }
        }
        doneBytes.addAndGet(work.bytes());
        ProgressBar b = bar;
        if (b != null) {
            b.step();
        }
        refresh();
    }

    @Override
    public void finished(RunRecord run, boolean interrupted) {
        ProgressBar b = bar;
        if (b != null) {
            refresh();
            b.close();
        }
    }

    private void refresh() {
        ProgressBar b = bar;
        if (b == null) {
            return;
        }
        long bytes = doneBytes.get() + inFlight.values().stream().mapToLong(Long::longValue).sum();
        b.setExtraMessage(String.format(Locale.ROOT, "%.1f/%.1f MiB | %d copied, %d updated, %d failed%s",
                bytes / 1048576.0, openBytes / 1048576.0, copied.get(), updated.get(), failed.get(),
                conflicts.get() == 0 ? "" : ", " + conflicts.get() + " conflicts"));
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Renders the bar on one line of a writer (the command's error stream), redrawn with a carriage return. */
    private static final class WriterConsumer implements ProgressBarConsumer {
        private final PrintWriter out;
        private final int width;

        WriterConsumer(PrintWriter out, int width) {
            this.out = out;
            this.width = width;
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public synchronized void accept(String line) {
            out.print('\r' + (line.length() > width ? line.substring(0, width) : line));
            out.flush();
        }

        @Override
        public synchronized void close() {
            out.println();
            out.flush();
        }
    }
}
