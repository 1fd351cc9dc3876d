package org.ferry.flow;

import org.ferry.store.LocationUrls;

import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.store.LocationResolver;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Location import, step 2 (glance {@code _UpdateLocationTask}): the URL must be served by a configured store and
 * hold data; it becomes the image's location ({@code metadata.store} with multistore) and gives the image its size.
 * A run resumed after a restart finds its location already there and keeps it.
 * Revert: unless the image became active, the location row goes (the data stays: Ferry did not write it) and an
 * image left importing goes back to queued with no size or hashes.
 */
public final class AddLocation extends FlowStep<Location> {
    private static final Logger LOG = LoggerFactory.getLogger(AddLocation.class);

    private final ImageRepository images;
    private final ImportLock lock;
    private final StoreRegistry stores;
    private final LocationResolver resolver;
    private final int locationQuota;

    public AddLocation(ImageRepository images, StoreRegistry stores, int locationQuota) {
        this.images = images;
        this.lock = new ImportLock(images);
        this.stores = stores;
        this.resolver = new LocationResolver(stores);
        this.locationQuota = locationQuota;
    }

    /** @return the image's location for the URL: added now, or found when a resumed run had added it */
    @Override
    protected Location execute(ImportState s) throws ImportFailure {
        LocationJob job = LocationJob.of(s.task);
        Image img = lock.image(s);
        Optional<Location> existing = img.locations.stream().filter(l -> l.url().equals(job.url())).findFirst();
        if (existing.isPresent() && s.recovering) {
            return existing.get();
        }
        if (!ImageStatus.QUEUED.equals(img.status)) {
            throw new ImportFailure("It's not allowed to add locations if image status is " + img.status + ".");
        }
        // the API let only a service caller name a non-http URL, so the flow trusts what it was given
        LocationResolver.Resolved resolved;
        try {
            resolved = resolver.resolve(job.url(), true);
        } catch (LocationResolver.InvalidLocation e) {
            throw new ImportFailure(e.getMessage());
        }
        long active = img.locations.stream().filter(Location::isActive).count();
        if (locationQuota >= 0 && active + 1 > locationQuota) {
            throw new ImportFailure("The limit has been exceeded on the number of allowed image locations. "
                    + "Attempted: " + (active + 1) + ", Maximum: " + locationQuota);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (stores.multistore()) {
            metadata.put("store", resolved.store().id());
        }
        if (existing.isPresent() && existing.get().metadata().equals(metadata)) {
            throw new ImportFailure("The location " + job.url() + " already exists");
        }
        Location loc = images.addLocation(img.id, job.url(), metadata, resolved.store().id(), Location.ACTIVE);
        try {
            img = lock.image(s);
            if (img.size == null || img.size == 0) {
                img.size = resolved.size();
                lock.save(s, img, img.status, "changed while its location was being added");
            }
        } catch (ImportFailure e) {
            revert(s, loc);
            throw e;
        }
        LOG.info("task {}: image {} has location {} in store {} ({} bytes)", s.taskId(), img.id, LocationUrls.shown(job.url()),
                resolved.store().id(), resolved.size());
        return loc;
    }

    @Override
    protected void revert(ImportState s, Location added) {
        Optional<Image> found = lock.whileLocked(s);
        if (found.isEmpty()) {
            return;
        }
        Image img = found.get();
        if (ImageStatus.ACTIVE.equals(img.status)) {
            return;
        }
        if (added != null) {
            images.removeLocation(added.id());
        }
        lock.whileLocked(s).ifPresent(fresh -> {
            ImageStatus from = fresh.status;
            if (ImageStatus.IMPORTING.equals(from) || ImageStatus.QUEUED.equals(from)) {
                fresh.status = ImageStatus.QUEUED;
                fresh.clearData();
                lock.saveQuietly(s, fresh, from);
            }
        });
    }
}
