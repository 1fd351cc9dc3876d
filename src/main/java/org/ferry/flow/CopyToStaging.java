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

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * copy-image step: reads an existing copy (the default store first) into staging, hashing it on the way so the
 * next step can prove the copy is intact. A staged file left by an earlier attempt is reused if it is complete.
 */
public final class CopyToStaging extends FlowStep<StagedData> {
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
        FileStore staging = stores.staging();
        Optional<Digests> reused = StagedDigests.read(staging.pathOf(img.id))
                .filter(d -> img.size != null && d.size() == img.size && d.md5().equals(img.checksum));
        if (reused.isPresent()) {
            return new StagedData(staging.pathOf(img.id), reused.get());
        }
        StagedDigests.delete(staging.pathOf(img.id));
        List<Location> sources = new ArrayList<>(img.locations.stream().filter(Location::isActive).toList());
        String def = stores.defaultStore().id();
        sources.sort((a, b) -> Boolean.compare(!def.equals(a.storeId()), !def.equals(b.storeId())));
        List<String> errors = new ArrayList<>();
        for (Location loc : sources) {
            Optional<Store> from = stores.forLocation(loc.storeId(), loc.url());
            if (from.isEmpty()) {
                continue;
            }
            TaskProgress progress = new TaskProgress(tasks, s.taskId(), img.size);
            try (Store.StoreData data = from.get().open(loc.url());
                 StoreWrite write = staging.beginWrite(img.id)) {
                InputStream in = data.channel() != null ? Channels.newInputStream(data.channel()) : data.stream();
                Digests d = mover.move(in, List.of(write.channel()), javaHash, hashAlgo,
                        new DataMover.Limits(Long.MAX_VALUE, img.size), progress);
                write.commit();
                progress.done();
                StagedData staged = new StagedData(staging.pathOf(img.id), d);
                StagedDigests.write(staged.path(), d);
                return staged;
            } catch (IOException e) {
                errors.add("store " + from.get().id() + ": " + e.getMessage());
            }
        }
        throw new ImportFailure("no copy of image " + img.id + " could be read" + (errors.isEmpty() ? "" : ": " + errors));
    }

    @Override
    protected void revert(ImportState s, StagedData staged) {
        stores.staging().purgePartials(s.imageId());
        try {
            StagedDigests.delete(stores.staging().pathOf(s.imageId()));
        } catch (IOException ignored) {
            // best effort: the next copy-image of this image replaces it
        }
    }
}
