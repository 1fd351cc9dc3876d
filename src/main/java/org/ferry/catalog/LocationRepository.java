package org.ferry.catalog;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jdbi.v3.core.Jdbi;

/**
 * Writes an image's whole list of active locations at once (PATCH /locations): kept rows get their new position and
 * metadata, rows no longer listed are removed, new ones (id 0) are inserted, all in one transaction. Locations that
 * are not active (placeholders of running copies) are left alone.
 */
public final class LocationRepository {
    private final Jdbi jdbi;

    public LocationRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** @return the locations as stored, with the ids of the inserted ones */
    public List<Location> rewrite(String imageId, List<Location> active) {
        return jdbi.inTransaction(h -> {
            List<Long> stored = h.createQuery("SELECT id FROM image_locations WHERE image_id = ? AND status = ?")
                    .bind(0, imageId).bind(1, Location.ACTIVE).mapTo(Long.class).list();
            Set<Long> kept = new HashSet<>();
            active.forEach(l -> kept.add(l.id()));
            for (Long id : stored) {
                if (!kept.contains(id)) {
                    h.execute("DELETE FROM image_locations WHERE id = ?", id);
                }
            }
            List<Location> out = new ArrayList<>();
            int pos = 0;
            for (Location l : active) {
                String metadata = ImageRepository.json(l.metadata());
                if (l.id() != 0 && stored.contains(l.id())) {
                    h.createUpdate("UPDATE image_locations SET position = :p, metadata = :m, store_id = :s WHERE id = :id")
                            .bind("p", pos).bind("m", metadata).bind("s", l.storeId()).bind("id", l.id()).execute();
                    out.add(l);
                } else {
                    long id = h.createUpdate("INSERT INTO image_locations (image_id, position, url, metadata, store_id, "
                                    + "status, created_at) VALUES (:i, :p, :u, :m, :s, :st, :c)")
                            .bind("i", imageId).bind("p", pos).bind("u", l.url()).bind("m", metadata)
                            .bind("s", l.storeId()).bind("st", Location.ACTIVE)
                            .bind("c", ImageRepository.utc(ImageRepository.now()))
                            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                    out.add(new Location(id, l.url(), l.metadata(), l.storeId(), Location.ACTIVE));
                }
                pos++;
            }
            return out;
        });
    }
}
