package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;

import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks the staged data before anything is committed: it exists (unless it was only streamed to the stores), and its
 * size and digests match what the source promised (the remote image for glance-download, the image itself for copy-image and glance-direct).
 */
public final class VerifyStaging extends FlowStep<StagedData> {
    private final FileStore staging;
    private final ImportLock lock;
    private final DataMover mover;
    private final String javaHash;
    private final String hashAlgo;

    public VerifyStaging(FileStore staging, ImageRepository images, DataMover mover, String javaHash, String hashAlgo) {
        this.staging = staging;
        this.lock = new ImportLock(images);
        this.mover = mover;
        this.javaHash = javaHash;
        this.hashAlgo = hashAlgo;
    }

    /** @return the staged data with its digests (read from the sidecar or computed when the step before had none) */
    @Override
    protected StagedData execute(ImportState s) throws Exception {
        Optional<StagedData> before = s.result(StagedData.class);
        // a step before that staged nothing (no target adopts a staged file) streamed the data to the stores
        boolean streamedOnly = before.isPresent() && before.get().path() == null;
        Path staged = streamedOnly ? null : before.map(StagedData::path).orElse(staging.pathOf(s.imageId()));
        if (!streamedOnly && !Files.isRegularFile(staged)) {
            throw new ImportFailure("image " + s.imageId() + " has no staged data");
        }
        Digests d = before.isPresent() ? before.get().digests() : digests(staged);
        Optional<RemoteImage> remote = s.result(RemoteImage.class);
        if (remote.isPresent()) {
            RemoteImage r = remote.get();
            if (d.size() != r.size()) {
                throw new ImportFailure("downloaded " + d.size() + " bytes, remote size is " + r.size());
            }
            if (r.hash() != null && !r.hash().equalsIgnoreCase(d.hash())) {
                throw new ImportFailure(hashAlgo + " of the downloaded data does not match the remote os_hash_value");
            }
            if (r.md5() != null && !r.md5().equalsIgnoreCase(d.md5())) {
                throw new ImportFailure("md5 of the downloaded data does not match the remote checksum");
            }
        }
        Image img = lock.image(s);
        if (img.size != null && img.size != d.size()) {
            throw new ImportFailure("staged data has " + d.size() + " bytes, the image has size " + img.size);
        }
        if (img.checksum != null && !img.checksum.equals(d.md5())
                || img.osHashValue != null && hashAlgo.equals(img.osHashAlgo) && !img.osHashValue.equals(d.hash())) {
            throw new ImportFailure("staged data does not match the image's checksum and os_hash_value");
        }
        return new StagedData(staged, d, before.map(StagedData::streamed).orElse(StreamedWrites.none()));
    }

    /** Digests of data staged by PUT /stage: recorded beside it while it was written, or computed now. */
    private Digests digests(Path staged) throws Exception {
        Optional<Digests> recorded = StagedDigests.read(staged);
        if (recorded.isPresent() && recorded.get().hashAlgo().equals(hashAlgo)) {
            return recorded.get();
        }
        try (InputStream in = Files.newInputStream(staged)) {
            return mover.move(in, List.of(Channels.newChannel(java.io.OutputStream.nullOutputStream())), javaHash,
                    hashAlgo, DataMover.Limits.none(), null);
        }
    }
}
