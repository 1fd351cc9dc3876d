package org.ferry.flow;

import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.SizeLimitException;
import org.ferry.data.StagedDigests;
import org.ferry.remote.ResumingStream;
import org.ferry.store.FileStore;
import org.ferry.store.StoreWrite;

import java.io.IOException;
import java.util.List;

/**
 * The download step of web-download and glance-download: streams the remote data into the staging store, computing
 * md5 and the hashing algorithm's digest in the same pass; the byte count is checked while streaming, and a broken
 * connection is resumed from where it stopped (Glance starts again from byte 0 on a new import call). Each method's
 * step says only where the data comes from.
 */
public abstract class StagingDownload extends FlowStep<StagedData> {
    /** How often a broken download is resumed with a ranged GET before the import fails. */
    static final int MAX_RESUMES = 3;

    private final FileStore staging;
    private final DataMover mover;
    private final TaskRepository tasks;
    private final String javaHash;
    private final String hashAlgo;
    private final long sizeCap;

    protected StagingDownload(FileStore staging, DataMover mover, TaskRepository tasks, String javaHash,
                              String hashAlgo, long sizeCap) {
        this.staging = staging;
        this.mover = mover;
        this.tasks = tasks;
        this.javaHash = javaHash;
        this.hashAlgo = hashAlgo;
        this.sizeCap = sizeCap;
    }

    /** Sends the first request: the data, resuming at most {@link #MAX_RESUMES} times; 2xx or a failure. */
    protected abstract ResumingStream open(ImportState s) throws IOException;

    @Override
    protected final StagedData execute(ImportState s) throws Exception {
        StagedDigests.delete(staging.pathOf(s.imageId()));
        try (ResumingStream in = open(s)) {
            Long expected = s.result(RemoteImage.class).map(RemoteImage::size).orElse(null);
            long contentLength = in.contentLength();
            if (expected == null && contentLength >= 0) {
                expected = contentLength;
            }
            if (contentLength >= 0 && expected != null && contentLength != expected) {
                throw new ImportFailure("remote sends " + contentLength + " bytes, remote size is " + expected);
            }
            TaskProgress progress = new TaskProgress(tasks, s.taskId(), expected);
            Digests d;
            try (StoreWrite write = staging.beginWrite(s.imageId())) {
                try {
                    d = mover.move(in, List.of(write.channel()), javaHash, hashAlgo,
                            new DataMover.Limits(sizeCap, expected), progress);
                } catch (SizeLimitException e) {
                    throw switch (e.kind()) {
                        case CAP_EXCEEDED -> new ImportFailure("the data is larger than image_size_cap " + sizeCap);
                        case DECLARED_SIZE_EXCEEDED -> new ImportFailure("downloaded more than " + expected
                                + " bytes, remote size is " + expected);
                        case DECLARED_SIZE_MISMATCH -> new ImportFailure("downloaded " + in.position()
                                + " bytes, remote size is " + expected);
                    };
                } catch (IOException e) {
                    throw new ImportFailure("download of " + in.what() + " from " + in.url() + " failed after "
                            + in.position() + " bytes: " + e, e);
                }
                write.commit();
            }
            progress.done();
            StagedData staged = new StagedData(staging.pathOf(s.imageId()), d);
            StagedDigests.write(staged.path(), d);
            return staged;
        }
    }

    @Override
    protected final void revert(ImportState s, StagedData staged) {
        try {
            StagedDigests.delete(staging.pathOf(s.imageId()));
        } catch (IOException ignored) {
            // best effort; the purge below and the next start-up clean up what is left
        }
        staging.purgePartials(s.imageId());
    }
}
