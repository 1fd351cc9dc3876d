package org.ferry.flow;

import org.apache.camel.Exchange;

/**
 * The New Location API's task ({@code glance/async_/flows/location_import.py}) as the route
 * {@code routes/location-import.camel.yaml} runs it: the choice of path ({@link #plan}); its steps are beans of their
 * own, and its failures go to the import routes' shared handler ({@link ImportFlow#revert}).
 */
public final class LocationImportFlow {
    /** Exchange property naming the path: verify (hash, then compare), hash (active, then hash) or trust. */
    public static final String PLAN = "locationPlan";

    private final boolean secureHash;

    /** @param secureHash [DEFAULT] do_secure_hash: hash the location's data (else trust it) */
    public LocationImportFlow(boolean secureHash) {
        this.secureHash = secureHash;
    }

    /** Picks the path of the task: glance's get_flow branches on do_secure_hash and validation data. */
    public void plan(Exchange exchange) {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        LocationJob job = LocationJob.of(state.task);
        exchange.setProperty(PLAN, !secureHash ? "trust" : job.validated() ? "verify" : "hash");
    }
}
