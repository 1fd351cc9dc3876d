package org.ferry.flow;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Location;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.StagedDigests;
import org.ferry.store.FileStore;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * copy-image step: gets the data into the target stores with one read of an existing copy (the default store first).
 * A target that can copy inside its back end from a source store does so without the bytes passing through Ferry;
 * every other target that does not adopt staged files gets an open write, fed while the copy is read and hashed, and
 * the data is staged only when a file store target adopts it. The next step proves the copy intact against the
 * image's checksum and os_hash_value before anything is committed. A staged file left by an earlier attempt is reused
 * if it is complete and nothing else must be streamed.
 */
public final class CopyToStaging extends FlowStep<StagedData> {
    private static final Logger LOG = LoggerFactory.getLogger(CopyToStaging.class);

    private final StoreRegistry stores;
    private final ImportLock lock;
    private final DataMover mover;
    private final TaskRepository tasks;
    private final String javaHash;
    private final String hashAlgo;

    public CopyToStaging(StoreRegistry stores, ImageRepository images, DataMover mover, TaskRepository tasks,
                         String javaHash, String hashAlgo) {
        this.stores = stores;
        this.lock = new ImportLock(images);
        this.mover = mover;
        this.tasks = tasks;
        this.javaHash = javaHash;
        this.hashAlgo = hashAlgo;
    }

    @Override
    protected StagedData execute(ImportState s) throws Exception {
        Image img = lock.image(s);
        List<Location> sources = new ArrayList<>(img.locations.stream().filter(Location::isActive).toList());
        String def = stores.defaultStore().id();
        sources.sort((a, b) -> Boolean.compare(!def.equals(a.storeId()), !def.equals(b.storeId())));
        StreamedWrites writes = new StreamedWrites();
        try {
            List<Store> toStream = new ArrayList<>();
            for (Store target : StreamedWrites.streamedTargets(stores, s.targets)) {
                Optional<StoreWrite> inside = copyInside(s, target, sources);
                if (inside.isPresent()) {
                    writes.add(target.id(), inside.get());
                } else {
                    toStream.add(target);
                }
            }
            StagedData staged = stream(s, img, sources, toStream,
                    StreamedWrites.someTargetAdopts(stores, s.targets));
            writes.addAll(staged.streamed());
            return new StagedData(staged.path(), staged.digests(), writes.isEmpty() ? StreamedWrites.none() : writes);
        } catch (Exception e) {
            writes.abortAll();
            throw e;
        }
    }

    /** The store's copy made inside its back end from the first source it can copy from, if any. */
    private Optional<StoreWrite> copyInside(ImportState s, Store target, List<Location> sources) {
        for (Location loc : sources) {
            Optional<Store> from = stores.forLocation(loc.storeId(), loc.url());
            if (from.isEmpty()) {
                continue;
            }
            try {
                Optional<StoreWrite> w = target.copyInside(from.get(), loc.url(), s.imageId());
                if (w.isPresent()) {
                    LOG.info("task {}: store {} copies image {} inside from store {}", s.taskId(), target.id(),
                            s.imageId(), from.get().id());
                    return w;
                }
            } catch (IOException e) {
                LOG.warn("task {}: store {} could not copy from store {} inside, the data is streamed: {}",
                        s.taskId(), target.id(), from.get().id(), e.toString());
            }
        }
        return Optional.empty();
    }

    /** Reads one copy once into staging (when {@code stage}) and the stores in {@code toStream}, hashing it. */
    private StagedData stream(ImportState s, Image img, List<Location> sources, List<Store> toStream, boolean stage)
            throws Exception {
        FileStore staging = stores.staging();
        if (toStream.isEmpty()) {
            if (!stage) {
                // every target copied inside its back end: nothing to read, the image's digests stand
                return new StagedData(null, new Digests(img.size == null ? 0 : img.size, img.checksum,
                        img.osHashAlgo, img.osHashValue));
            }
            Optional<Digests> reused = StagedDigests.read(staging.pathOf(img.id))
                    .filter(d -> img.size != null && d.size() == img.size && d.md5().equals(img.checksum));
            if (reused.isPresent()) {
                return new StagedData(staging.pathOf(img.id), reused.get());
            }
        }
        StagedDigests.delete(staging.pathOf(img.id));
        List<String> errors = new ArrayList<>();
        for (Location loc : sources) {
            Optional<Store> from = stores.forLocation(loc.storeId(), loc.url());
            if (from.isEmpty()) {
                continue;
            }
            TaskProgress progress = new TaskProgress(tasks, s.taskId(), img.size);
            StreamedWrites streamed = StreamedWrites.begin(toStream, img.id, img.size == null ? -1 : img.size,
                    s.caller);
            try (Store.StoreData data = from.get().open(loc.url(), s.caller);
                 StoreWrite write = stage ? staging.beginWrite(img.id) : null) {
                InputStream in = data.channel() != null ? Channels.newInputStream(data.channel()) : data.stream();
                List<WritableByteChannel> outs = new ArrayList<>();
                if (write != null) {
                    outs.add(write.channel());
                }
                outs.addAll(streamed.channels());
                Digests d = mover.move(in, outs, javaHash, hashAlgo,
                        new DataMover.Limits(Long.MAX_VALUE, img.size), progress);
                progress.done();
                if (write == null) {
                    return new StagedData(null, d, streamed);
                }
                write.commit();
                StagedData staged = new StagedData(staging.pathOf(img.id), d, streamed);
                StagedDigests.write(staged.path(), d);
                return staged;
            } catch (IOException e) {
                streamed.abortAll();
                errors.add("store " + from.get().id() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                streamed.abortAll();
                throw e;
            }
        }
        throw new ImportFailure("no copy of image " + img.id + " could be read" + (errors.isEmpty() ? "" : ": " + errors));
    }

    @Override
    protected void revert(ImportState s, StagedData staged) {
        if (staged != null) {
            staged.streamed().abortAll();
        }
        stores.staging().purgePartials(s.imageId());
        try {
            StagedDigests.delete(stores.staging().pathOf(s.imageId()));
        } catch (IOException ignored) {
            // best effort: the next copy-image of this image replaces it
        }
    }
}
