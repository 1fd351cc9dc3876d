package org.ferry.flow;

import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;

/** Removes the staged data once every store has its copy. */
public final class DeleteStaging extends FlowStep {
    private final FileStore staging;

    public DeleteStaging(FileStore staging) {
        this.staging = staging;
    }

    @Override
    protected void execute(ImportState s) throws Exception {
        StagedDigests.delete(staging.pathOf(s.imageId()));
    }
}
