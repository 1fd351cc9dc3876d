package org.ferry.flow;

/** A step failed for a reason the task message should state as it is. */
public final class ImportFailure extends Exception {
    public ImportFailure(String message) {
        super(message);
    }

    public ImportFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
