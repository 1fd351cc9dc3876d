package org.ferry.flow;

import org.apache.camel.Exchange;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The New Location API's task ({@code glance/async_/flows/location_import.py}) as the route
 * {@code routes/location-import.camel.yaml} runs it: the beans of its steps, the choice of path ({@link #plan}) and
 * the error handler ({@link #revert}).
 */
public final class LocationImportFlow {
    private static final Logger LOG = LoggerFactory.getLogger(LocationImportFlow.class);
    /** Exchange property naming the path: verify (hash, then compare), hash (active, then hash) or trust. */
    public static final String PLAN = "locationPlan";

    private final TaskRepository tasks;
    private final ImageRepository images;
    private final boolean secureHash;
    private final Duration timeToLive;
    private final Map<String, Object> beans = new LinkedHashMap<>();

    /**
     * The options the location import uses.
     *
     * @param doSecureHash       [DEFAULT] do_secure_hash: hash the location's data (else trust it)
     * @param httpRetries        [DEFAULT] http_retries: attempts at reading the location's data
     * @param imageLocationQuota [DEFAULT] image_location_quota
     * @param hashingAlgorithm   [DEFAULT] hashing_algorithm
     */
    public record Settings(boolean doSecureHash, int httpRetries, int imageLocationQuota, String hashingAlgorithm) {
    }

    public LocationImportFlow(ImageRepository images, TaskRepository tasks, StoreRegistry stores, DataMover mover,
                              Settings config, Duration timeToLive) {
        this.tasks = tasks;
        this.images = images;
        this.secureHash = config.doSecureHash();
        this.timeToLive = timeToLive;
        LocationHasher hasher = new LocationHasher(mover, images, tasks, config.httpRetries());
        beans.put("locationImportFlow", this);
        beans.put("addLocation", new AddLocation(images, stores, config.imageLocationQuota()));
        beans.put("verifyLocationData", new VerifyLocationData(images, stores, hasher));
        beans.put("activateLocatedImage", new ActivateImage(images, secureHash));
        beans.put("hashLocation", new HashLocation(images, tasks, stores, hasher, config.hashingAlgorithm()));
        beans.put("completeLocationImport", new CompleteLocationImport(tasks, images, timeToLive));
    }

    /** The beans the route file refers to, by name, for Camel's registry. */
    public Map<String, Object> beans() {
        return Map.copyOf(beans);
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
