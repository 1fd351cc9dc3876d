package org.ferry.replication.run;

import org.ferry.json.Jackson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.remote.GlanceImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The JSON patch (openstack-images-v2.1) that brings a copy's metadata in line with its source: name, visibility,
 * min_disk, min_ram, tags, and the extra properties (added, changed, removed). Reserved properties are never
 * touched; the formats and the data are not metadata here.
 */
final class MetadataDiff {
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private MetadataDiff() {
    }

    /** The operations and the names of what they change. */
    record Patch(ArrayNode ops, List<String> changed) {
        boolean empty() {
            return ops.isEmpty();
        }
    }

    static Patch between(GlanceImage source, GlanceImage target) {
        ArrayNode ops = JSON.createArrayNode();
        List<String> changed = new ArrayList<>();
        if (!Objects.equals(source.name(), target.name())) {
            ObjectNode op = replace(ops, "/name");
            if (source.name() == null) {
                op.putNull("value");
            } else {
                op.put("value", source.name());
            }
            changed.add("name");
        }
        if (source.visibility() != null && !source.visibility().equals(target.visibility())) {
            replace(ops, "/visibility").put("value", source.visibility());
            changed.add("visibility");
        }
        if (source.minDisk() != target.minDisk()) {
            replace(ops, "/min_disk").put("value", source.minDisk());
            changed.add("min_disk");
        }
        if (source.minRam() != target.minRam()) {
            replace(ops, "/min_ram").put("value", source.minRam());
            changed.add("min_ram");
        }
        if (!source.tags().equals(target.tags())) {
            ArrayNode tags = replace(ops, "/tags").putArray("value");
            new TreeSet<>(source.tags()).forEach(tags::add);
            changed.add("tags");
        }
        for (var e : new java.util.TreeMap<>(source.properties()).entrySet()) {
            if (!e.getValue().equals(target.properties().get(e.getKey()))) {
                // add (v2.1) creates or overwrites an extra property
                ops.addObject().put("op", "add").put("path", pointer(e.getKey())).put("value", e.getValue());
                changed.add(e.getKey());
            }
        }
        for (String k : new TreeSet<>(target.properties().keySet())) {
            if (!source.properties().containsKey(k)) {
                ops.addObject().put("op", "remove").put("path", pointer(k));
                changed.add("-" + k);
            }
        }
        return new Patch(ops, changed);
    }

    private static ObjectNode replace(ArrayNode ops, String path) {
        return ops.addObject().put("op", "replace").put("path", path);
    }

    /** A JSON pointer to a top-level member ({@code ~} and {@code /} escaped). */
    static String pointer(String key) {
        return "/" + key.replace("~", "~0").replace("/", "~1");
    }
}
