package org.ferry.flow;

import org.ferry.data.Digests;

import java.nio.file.Path;

/** The image data in the staging store, with the size and digests computed while it was written there. */
public record StagedData(Path path, Digests digests) {
}
