package org.ferry.flow;

import org.apache.camel.Exchange;
import org.ferry.app.FerryConfig;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.store.StoreRegistry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The New Location API's task ({@code glance/async_/flows/location_import.py}) as the route
 * {@code routes/location-import.camel.yaml} runs it: the beans of its steps and the choice of path ({@link #plan}).
 * Its failures go to the import routes' shared handler ({@link ImportFlow#revert}).
 */
public final class LocationImportFlow {
    /** Exchange property naming the path: verify (hash, then compare), hash (active, then hash) or trust. */
    public static final String PLAN = "locationPlan";

    private final boolean secureHash;
    private final Map<String, Object> beans = new LinkedHashMap<>();

    public LocationImportFlow(ImageRepository images, TaskRepository tasks, StoreRegistry stores, DataMover mover,
                              FerryConfig config, Duration timeToLive) {
        this.secureHash = config.doSecureHash();
        LocationHasher hasher = new LocationHasher(mover, images, tasks, config.httpRetries());
        beans.put("locationImportFlow", this);
        beans.put("addLocation", new AddLocation(images, stores, config.quotas().imageLocationQuota()));
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
}
