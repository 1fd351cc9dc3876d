package org.ferry.flow;

import org.apache.camel.Exchange;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;

/**
 * The New Location API's task ({@code glance/async_/flows/location_import.py}) as the route
 * {@code routes/location-import.camel.yaml} runs it: the choice of path ({@link #plan}) and the error handler
 * ({@link #revert}); its steps are beans of their own.
 */
public final class LocationImportFlow {
    private static final Logger LOG = LoggerFactory.getLogger(LocationImportFlow.class);
    /** Exchange property naming the path: verify (hash, then compare), hash (active, then hash) or trust. */
    public static final String PLAN = "locationPlan";

    private final TaskRepository tasks;
    private final ImageRepository images;
    private final boolean secureHash;
    private final Duration timeToLive;

    /** @param secureHash [DEFAULT] do_secure_hash: hash the location's data (else trust it) */
    public LocationImportFlow(ImageRepository images, TaskRepository tasks, boolean secureHash, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.secureHash = secureHash;
        this.timeToLive = timeToLive;
    }

    /** Picks the path of the task: glance's get_flow branches on do_secure_hash and validation data. */
    public void plan(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        LocationJob job = LocationJob.of(state.task);
        exchange.setProperty(PLAN, !secureHash ? "trust" : job.validated() ? "verify" : "hash");
    }

    /** Route error handler: revert the started steps, fail the task with the reason, release the lock. */
    public void revert(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = ImportFlow.describe(cause);
        if (state == null) {
            LOG.error("location import failed before its state was loaded: {}", message, cause);
            return;
        }
        LOG.warn("task {}: location import of image {} failed: {}", state.taskId(), state.imageId(), message,
                cause instanceof ImportFailure ? null : cause);
        state.revertStartedSteps();
        tasks.finish(state.taskId(), Task.FAILURE, null, message, ImageRepository.now().plus(timeToLive));
        images.deletePropertyIfValue(state.imageId(), StoreLists.LOCK, state.taskId());
        MDC.remove("request_id");
    }
}
