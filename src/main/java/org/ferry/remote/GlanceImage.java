package org.ferry.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.ImageAttributes;
import org.ferry.json.Jackson;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An image as a Glance v2 API shows it (source or target): the core fields replication looks at, its tags, and
 * its extra properties minus the reserved ones ({@code os_glance_*}, which no API caller may write).
 */
public record GlanceImage(
        String id,
        String name,
        String status,
        String visibility,
        String owner,
        String diskFormat,
        String containerFormat,
        int minDisk,
        int minRam,
        Long size,
        String checksum,
        String hashAlgo,
        String hashValue,
        Set<String> tags,
        Map<String, String> properties) {

    private static final ObjectMapper JSON = Jackson.MAPPER;

    public static GlanceImage of(JsonNode n) {
        Set<String> tags = new TreeSet<>();
        n.path("tags").forEach(t -> tags.add(t.asText()));
        Map<String, String> props = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            String k = e.getKey();
            if (ImageAttributes.CORE.contains(k) || ImageAttributes.isReserved(k) || !e.getValue().isValueNode()
                    || e.getValue().isNull()) {
                continue;
            }
            props.put(k, e.getValue().asText());
        }
        return new GlanceImage(text(n, "id"), text(n, "name"), text(n, "status"), text(n, "visibility"),
                text(n, "owner"), text(n, "disk_format"), text(n, "container_format"), n.path("min_disk").asInt(0),
                n.path("min_ram").asInt(0), n.path("size").canConvertToLong() ? n.get("size").asLong() : null,
                text(n, "checksum"), text(n, "os_hash_algo"), text(n, "os_hash_value"), Set.copyOf(tags),
                Map.copyOf(props));
    }

    /** The stored form (a run's per-image record keeps the listed source view, so a continued run need not list). */
    public String toJson() {
        ObjectNode o = createBody();
        o.put("status", status);
        o.put("owner", owner);
        if (size == null) {
            o.putNull("size");
        } else {
            o.put("size", size);
        }
        o.put("checksum", checksum);
        o.put("os_hash_algo", hashAlgo);
        o.put("os_hash_value", hashValue);
        return o.toString();
    }

    public static GlanceImage fromJson(String json) {
        try {
            return of(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored image view is not JSON: " + e.getMessage(), e);
        }
    }

    /** A POST /v2/images body creating this image's copy: same id, name, formats, visibility, minimums, tags, properties. */
    public ObjectNode createBody() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("name", name);
        o.put("disk_format", diskFormat);
        o.put("container_format", containerFormat);
        o.put("visibility", visibility);
        o.put("min_disk", minDisk);
        o.put("min_ram", minRam);
        var t = o.putArray("tags");
        new TreeSet<>(tags).forEach(t::add);
        properties.forEach(o::put);
        return o;
    }

    /**
     * Whether the two hold the same data: sizes agree, the md5 checksums agree and, when both use the same
     * os_hash_algo, the multihashes agree; and at least one digest was compared.
     */
    public boolean sameData(GlanceImage other) {
        if (size != null && other.size != null && !size.equals(other.size)) {
            return false;
        }
        boolean compared = false;
        if (checksum != null && other.checksum != null) {
            if (!checksum.equalsIgnoreCase(other.checksum)) {
                return false;
            }
            compared = true;
        }
        if (hashAlgo != null && hashAlgo.equalsIgnoreCase(other.hashAlgo) && hashValue != null
                && other.hashValue != null) {
            if (!hashValue.equalsIgnoreCase(other.hashValue)) {
                return false;
            }
            compared = true;
        }
        return compared;
    }

    /** The data fingerprint, for messages. */
    public String digests() {
        return "size " + size + ", checksum " + checksum + ", " + hashAlgo + " " + abbreviate(hashValue);
    }

    private static String abbreviate(String h) {
        return h == null ? null : h.length() > 16 ? h.substring(0, 16) + "…" : h;
    }

    public boolean hasData() {
        return checksum != null || hashValue != null;
    }

    /** Metadata replication keeps in step (everything the copy was created with except the id and formats). */
    public boolean sameMetadata(GlanceImage other) {
        return Objects.equals(name, other.name) && Objects.equals(visibility, other.visibility)
                && minDisk == other.minDisk && minRam == other.minRam && tags.equals(other.tags)
                && properties.equals(other.properties);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
