package org.ferry.flow;

import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Removes the staged data once every store has its copy. The image is committed by then, so a file that cannot be
 * removed is logged and left (as Glance's _DeleteFromFS does): failing here would revert, i.e. delete, the copies
 * just made.
 */
public final class DeleteStaging extends FlowStep<Void> {
    private static final Logger LOG = LoggerFactory.getLogger(DeleteStaging.class);

    private final FileStore staging;

    public DeleteStaging(FileStore staging) {
        this.staging = staging;
    }

    @Override
    protected Void execute(ImportState s) {
        Path staged = staging.pathOf(s.imageId());
        for (Path p : List.of(StagedDigests.sidecar(staged), staged)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("task {}: image {} is committed, but its staged data {} could not be removed: {}",
                        s.taskId(), s.imageId(), p, e.toString());
            }
        }
        return null;
    }
}
