package org.ferry.flow;

import org.ferry.store.LocationUrls;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.data.Digests;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import java.util.List;

/**
 * Location import with validation data (glance {@code _CalculateHash} + {@code _VerifyValidationData}): the image
 * is importing while every byte of the location is read and hashed (md5 and the given algorithm); the digest must
 * equal the given one. Size, checksum and hash are recorded from what was read. A mismatch fails the task and the
 * revert of {@link AddLocation} puts the image back to queued without the location.
 */
public final class VerifyLocationData extends FlowStep<Digests> {
    private final ImportLock lock;
    private final StoreRegistry stores;
    private final LocationHasher hasher;

    public VerifyLocationData(ImageRepository images, StoreRegistry stores, LocationHasher hasher) {
        this.lock = new ImportLock(images);
        this.stores = stores;
        this.hasher = hasher;
    }

    @Override
    protected Digests execute(ImportState s) throws ImportFailure {
        LocationJob job = LocationJob.of(s.task);
        Image img = lock.image(s);
        if (ImageStatus.QUEUED.equals(img.status)) {
            ActivateImage.requireFormats(img);
            img.status = ImageStatus.IMPORTING;
            lock.save(s, img, ImageStatus.QUEUED, "changed while its location was being verified");
        } else if (!ImageStatus.IMPORTING.equals(img.status)) {
            throw new ImportFailure("image " + img.id + " is " + img.status + ", not importing");
        }
        Store store = store(img, job.url());
        Digests d = hasher.hash(s.taskId(), img.id, store, job.url(), job.hashAlgo(), s.caller);
        lock.update(s, ImageStatus.IMPORTING, "changed while its location was being verified", i -> {
            i.size = d.size();
            i.checksum = d.md5();
            i.osHashAlgo = d.hashAlgo();
            i.osHashValue = d.hash();
        });
        if (!job.hashValue().equalsIgnoreCase(d.hash())) {
            throw new ImportFailure("os_hash_value: (" + job.hashValue() + ") not matched with actual os_hash_value: ("
                    + d.hash() + ")");
        }
        return d;
    }

    /** The store serving the image's location with this URL. */
    static Store store(Image img, String url, StoreRegistry stores) throws ImportFailure {
        List<Location> matching = img.locations.stream().filter(l -> l.url().equals(url)).toList();
        String storeId = matching.isEmpty() ? null : matching.get(0).storeId();
        return stores.forLocation(storeId, url)
                .orElseThrow(() -> new ImportFailure("no configured store serves " + LocationUrls.shown(url) + " any more"));
    }

    private Store store(Image img, String url) throws ImportFailure {
        return store(img, url, stores);
    }
}
