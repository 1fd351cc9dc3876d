package org.ferry.flow;

import org.apache.camel.Exchange;

/**
 * One step of an import taskflow, called from a route file. A step is recorded as started before it runs, so
 * when any later step fails its {@link #revert} runs too (newest first), including for the step that failed:
 * every revert must cope with a partly done execute.
 */
public abstract class FlowStep {
    /** Called by the route: runs the step on the flow state of the exchange. */
    public final void execute(Exchange exchange) throws Exception {
        ImportState state = exchange.getProperty(ImportState.PROPERTY, ImportState.class);
        state.started.push(this);
        execute(state);
    }

    protected abstract void execute(ImportState state) throws Exception;

    /** Undoes this step's effects; must not throw. */
    protected void revert(ImportState state) {
    }

    public String name() {
        return getClass().getSimpleName();
    }
}
