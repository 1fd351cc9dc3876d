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
import java.util.List;
import java.util.Optional;

/**
 * Checks the staged data before anything is committed: it exists, and its size and digests match what the
 * source promised (the remote image for glance-download, the image itself for copy-image and glance-direct).
 */
public final class VerifyStaging extends FlowStep {
    private final FileStore staging;
    private final ImageRepository images;
    private final DataMover mover;
    private final String javaHash;
    private final String hashAlgo;

    public VerifyStaging(FileStore staging, ImageRepository images, DataMover mover, String javaHash, String hashAlgo) {
        this.staging = staging;
        this.images = images;
        this.mover = mover;
        this.javaHash = javaHash;
        this.hashAlgo = hashAlgo;
    }

    @Override
    protected void execute(ImportState s) throws Exception {
        if (s.staged == null) {
            s.staged = staging.pathOf(s.imageId());
        }
        if (!Files.isRegularFile(s.staged)) {
            throw new ImportFailure("image " + s.imageId() + " has no staged data");
        }
        if (s.digests == null) {
            Optional<Digests> recorded = StagedDigests.read(s.staged);
            if (recorded.isPresent() && recorded.get().hashAlgo().equals(hashAlgo)) {
                s.digests = recorded.get();
            } else {
                try (InputStream in = Files.newInputStream(s.staged)) {
                    s.digests = mover.move(in, List.of(Channels.newChannel(java.io.OutputStream.nullOutputStream())), javaHash,
                            hashAlgo, DataMover.Limits.none(), null);
                }
            }
        }
        Digests d = s.digests;
        if (s.expectedSize != null && d.size() != s.expectedSize) {
            throw new ImportFailure("downloaded " + d.size() + " bytes, remote size is " + s.expectedSize);
        }
        if (s.expectedHash != null && !s.expectedHash.equalsIgnoreCase(d.hash())) {
            throw new ImportFailure(hashAlgo + " of the downloaded data does not match the remote os_hash_value");
        }
        if (s.expectedMd5 != null && !s.expectedMd5.equalsIgnoreCase(d.md5())) {
            throw new ImportFailure("md5 of the downloaded data does not match the remote checksum");
        }
        Image img = images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
        if (img.size != null && img.size != d.size()) {
            throw new ImportFailure("staged data has " + d.size() + " bytes, the image has size " + img.size);
        }
        if (img.checksum != null && !img.checksum.equals(d.md5())
                || img.osHashValue != null && hashAlgo.equals(img.osHashAlgo) && !img.osHashValue.equals(d.hash())) {
            throw new ImportFailure("staged data does not match the image's checksum and os_hash_value");
        }
    }
}
