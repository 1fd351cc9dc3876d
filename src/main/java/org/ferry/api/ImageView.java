package org.ferry.api;

import org.ferry.store.LocationUrls;

import org.ferry.http.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.Image;
import org.ferry.catalog.Location;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The JSON view of an image, as Glance's images ResponseSerializer shapes it. */
public final class ImageView {
    /** Internal properties Glance keeps out of the view. */
    static final Set<String> HIDDEN_PROPERTIES = Set.of("os_glance_stage_host", "os_glance_hash_op_host");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final boolean showDirectUrl;
    private final boolean showLocations;
    private final StoreRegistry stores;

    public ImageView(boolean showDirectUrl, boolean showLocations, StoreRegistry stores) {
        this.showDirectUrl = showDirectUrl;
        this.showLocations = showLocations;
        this.stores = stores;
    }

    public static String isoTime(Instant t) {
        return t == null ? null : ISO.format(t);
    }

    public ObjectNode render(Image img) {
        ObjectNode o = Json.object();
        for (var p : img.properties.entrySet()) {
            if (!HIDDEN_PROPERTIES.contains(p.getKey())) {
                o.put(p.getKey(), p.getValue());
            }
        }
        o.put("id", img.id);
        o.put("name", img.name);
        o.put("status", img.status.wire());
        o.put("visibility", img.visibility);
        o.put("protected", img.isProtected);
        o.put("os_hidden", img.osHidden);
        o.put("owner", img.owner);
        o.put("checksum", img.checksum);
        o.put("os_hash_algo", img.osHashAlgo);
        o.put("os_hash_value", img.osHashValue);
        o.put("size", img.size);
        o.put("virtual_size", img.virtualSize);
        o.put("disk_format", img.diskFormat);
        o.put("container_format", img.containerFormat);
        o.put("min_disk", img.minDisk);
        o.put("min_ram", img.minRam);
        o.put("created_at", isoTime(img.createdAt));
        o.put("updated_at", isoTime(img.updatedAt));
        ArrayNode tags = o.putArray("tags");
        img.tags.stream().sorted().forEach(tags::add);
        o.put("self", "/v2/images/" + img.id);
        o.put("file", "/v2/images/" + img.id + "/file");
        o.put("schema", "/v2/schemas/image");
        List<Location> active = img.locations.stream().filter(Location::isActive).toList();
        if (showDirectUrl && !active.isEmpty()) {
            o.put("direct_url", LocationUrls.shown(preferred(active).url()));
        }
        if (showLocations) {
            ArrayNode locs = o.putArray("locations");
            for (Location l : active) {
                ObjectNode lo = locs.addObject();
                lo.put("url", LocationUrls.shown(l.url()));
                lo.set("metadata", Json.MAPPER.valueToTree(l.metadata()));
            }
        }
        if (stores.multistore()) {
            List<String> ids = img.storeIds();
            if (!ids.isEmpty()) {
                o.put("stores", String.join(",", ids));
            }
        }
        return o;
    }

    /** The location of the highest-weight store, the first location on a tie. */
    private Location preferred(List<Location> locations) {
        return locations.stream()
                .max(Comparator.comparingInt((Location l) -> stores.forLocation(l.storeId(), l.url())
                        .map(Store::weight).orElse(0)))
                .orElseThrow();
    }
}
