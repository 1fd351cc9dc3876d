package org.ferry.replication.run;

/** Follows a run as it goes (the CLI's progress bar; the service's completion). Called from the run's threads. */
public interface RunListener {
    /** The images are known: {@code open} of them are left to do (all of them, unless the run is continued). */
    default void listed(RunRecord.Counts counts, int open, long openBytes) {
    }

    /** Bytes a copy under way has moved so far (as the target's import task reports them). */
    default void copying(ImageWork work, long bytesSoFar) {
    }

    default void imageDone(ImageWork work) {
    }

    /** The run ended ({@code interrupted}: it stopped early and will be continued). */
    default void finished(RunRecord run, boolean interrupted) {
    }

    RunListener NONE = new RunListener() {
    };
}
