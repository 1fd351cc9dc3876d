package org.ferry.flow;

/**
 * An import must name at least one target store. {@code "stores": []} is accepted with 202, as Glance does; the
 * task then fails here, before any data moves.
 */
public final class RequireTargetStores extends FlowStep<Void> {
    @Override
    protected Void execute(ImportState s) throws ImportFailure {
        if (s.targets.isEmpty()) {
            throw new ImportFailure("the import names no target store (\"stores\" is empty)");
        }
        return null;
    }
}
