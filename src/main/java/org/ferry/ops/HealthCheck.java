package org.ferry.ops;

/**
 * One check of the health check. {@link #check} throws (or returns an unavailable result) when what it checks is
 * unusable; the exception's message becomes the detail only admins see.
 */
public interface HealthCheck {
    /** What is checked, e.g. {@code database} or {@code store fast}; shown to admins. */
    String name();

    /** The {@code [healthcheck] backends} name that puts this check into the simple answer. */
    String backend();

    /** The short reason anybody may see when the check fails, e.g. {@code DATABASE UNAVAILABLE}. */
    String failureReason();

    Result check() throws Exception;

    record Result(boolean available, String details) {
        public static Result ok(String details) {
            return new Result(true, details);
        }

        public static Result failed(String details) {
            return new Result(false, details);
        }
    }
}
