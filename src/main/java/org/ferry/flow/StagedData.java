package org.ferry.flow;

import org.ferry.data.Digests;

import java.nio.file.Path;

/**
 * The image data of an import, with the size and digests computed while it moved.
 *
 * @param path     the staged file, or null when no target store adopts staged files, so none was written
 * @param digests  size and digests of the data
 * @param streamed the writes to the other target stores, fed in the same pass and not yet committed
 */
public record StagedData(Path path, Digests digests, StreamedWrites streamed) {
    public StagedData(Path path, Digests digests) {
        this(path, digests, StreamedWrites.none());
    }
}
