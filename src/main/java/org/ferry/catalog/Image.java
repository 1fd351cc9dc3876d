package org.ferry.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An image as the catalog holds it: core fields, extra properties, tags and locations. */
public final class Image {
    public String id;
    public String name;
    public ImageStatus status = ImageStatus.QUEUED;
    public String visibility = "shared";
    public boolean isProtected;
    public boolean osHidden;
    public String owner;
    public String checksum;
    public String osHashAlgo;
    public String osHashValue;
    public Long size;
    public Long virtualSize;
    public String diskFormat;
    public String containerFormat;
    public int minDisk;
    public int minRam;
    public Instant createdAt;
    public Instant updatedAt;
    public final Map<String, String> properties = new TreeMap<>();
    public final Set<String> tags = new LinkedHashSet<>();
    public final List<Location> locations = new ArrayList<>();
    /** The project this copy was loaded for, and that project's member status on the image (null: not a member). */
    public String loadedFor;
    public String callerMemberStatus;

    public Image copy() {
        Image c = new Image();
        c.id = id;
        c.name = name;
        c.status = status;
        c.visibility = visibility;
        c.isProtected = isProtected;
        c.osHidden = osHidden;
        c.owner = owner;
        c.checksum = checksum;
        c.osHashAlgo = osHashAlgo;
        c.osHashValue = osHashValue;
        c.size = size;
        c.virtualSize = virtualSize;
        c.diskFormat = diskFormat;
        c.containerFormat = containerFormat;
        c.minDisk = minDisk;
        c.minRam = minRam;
        c.createdAt = createdAt;
        c.updatedAt = updatedAt;
        c.properties.putAll(properties);
        c.tags.addAll(tags);
        c.locations.addAll(locations);
        c.loadedFor = loadedFor;
        c.callerMemberStatus = callerMemberStatus;
        return c;
    }

    /** Sorted ids of the stores that hold an active copy of the data. */
    public List<String> storeIds() {
        return locations.stream().filter(Location::isActive).map(Location::storeId)
                .filter(s -> s != null).distinct().sorted().toList();
    }

    /** Back to "no data": what Glance does whenever an image returns to queued. */
    public void clearData() {
        size = null;
        virtualSize = null;
        checksum = null;
        osHashAlgo = null;
        osHashValue = null;
    }
}
