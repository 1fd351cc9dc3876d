package org.ferry.flow;

import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.SizeLimitException;
import org.ferry.data.StagedDigests;
import org.ferry.remote.ResumingStream;
import org.ferry.store.FileStore;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The download step of web-download and glance-download: streams the remote data into the staging store (only when
 * a target store adopts the staged file) and into an open write of every other target store, computing md5 and the
 * hashing algorithm's digest in the same pass, so each byte is read and hashed once and no staged file is read back;
 * the store writes stay invisible until {@link CommitToStores} commits them after verification; the byte count is checked while streaming, and a broken
 * connection is resumed from where it stopped (Glance starts again from byte 0 on a new import call). Each method's
 * step says only where the data comes from.
 */
public abstract class StagingDownload extends FlowStep<StagedData> {
    /** How often a broken download is resumed with a ranged GET before the import fails. */
    static final int MAX_RESUMES = 3;

    private final StoreRegistry stores;
    private final FileStore staging;
    private final DataMover mover;
    private final TaskRepository tasks;
    private final String javaHash;
    private final String hashAlgo;
    private final long sizeCap;

    protected StagingDownload(StoreRegistry stores, DataMover mover, TaskRepository tasks, String javaHash,
                              String hashAlgo, long sizeCap) {
        this.stores = stores;
        this.staging = stores.staging();
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
            boolean stage = StreamedWrites.someTargetAdopts(stores, s.targets);
            StreamedWrites streamed = StreamedWrites.begin(StreamedWrites.streamedTargets(stores, s.targets),
                    s.imageId(), expected == null ? -1 : expected, s.caller);
            try {
                Digests d = move(s, in, stage, streamed, expected, progress);
                progress.done();
                if (!stage) {
                    return new StagedData(null, d, streamed);
                }
                StagedData staged = new StagedData(staging.pathOf(s.imageId()), d, streamed);
                StagedDigests.write(staged.path(), d);
                return staged;
            } catch (Exception e) {
                streamed.abortAll();
                throw e;
            }
        }
    }

    private Digests move(ImportState s, ResumingStream in, boolean stage, StreamedWrites streamed, Long expected,
                         TaskProgress progress) throws Exception {
        try (StoreWrite write = stage ? staging.beginWrite(s.imageId()) : null) {
            List<WritableByteChannel> outs = new ArrayList<>();
            if (write != null) {
                outs.add(write.channel());
            }
            outs.addAll(streamed.channels());
            Digests d;
            try {
                d = mover.move(in, outs, javaHash, hashAlgo, new DataMover.Limits(sizeCap, expected), progress);
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
            if (write != null) {
                write.commit();
            }
            return d;
        }
    }

    @Override
    protected final void revert(ImportState s, StagedData staged) {
        if (staged != null) {
            staged.streamed().abortAll();
        }
        try {
            StagedDigests.delete(staging.pathOf(s.imageId()));
        } catch (IOException ignored) {
            // best effort; the purge below and the next start-up clean up what is left
        }
        staging.purgePartials(s.imageId());
    }
}
