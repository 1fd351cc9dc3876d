package org.ferry.flow;

import org.apache.camel.Exchange;

/**
 * One step of an import taskflow, called from a route file. Like a taskflow task, {@link #execute(ImportState)}
 * returns what the step produced (a typed value later steps read with {@link ImportState#result}, or null when it
 * produces nothing) and {@link #revert} gets that value back. A step is recorded as started before it runs, so when
 * any later step fails its revert runs too (newest first), including for the step that failed: then the result is
 * null and the revert must undo whatever part of the execute happened.
 *
 * @param <R> the type of the step's result ({@link Void} for none)
 */
public abstract class FlowStep<R> {
    /** Called by the route: runs the step on the flow state of the exchange. */
    public final void execute(Exchange exchange) throws Exception {
        exchange.getProperty(ImportState.PROPERTY, ImportState.class).run(this);
    }

    protected abstract R execute(ImportState state) throws Exception;

    /**
     * Undoes this step's effects; must not throw.
     *
     * @param result what {@link #execute(ImportState)} returned, or null if it did not finish
     */
    protected void revert(ImportState state, R result) {
    }

    public String name() {
        return getClass().getSimpleName();
    }
}
