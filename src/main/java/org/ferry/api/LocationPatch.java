package org.ferry.api;

import org.ferry.store.LocationUrls;

import org.ferry.http.Json;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.catalog.LocationRepository;
import org.ferry.data.HashAlgorithms;
import org.ferry.store.LocationResolver;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The legacy location operations of PATCH /v2/images/{id} ({@code images.py _do_*_locations}, {@code
 * glance/location.py}, {@code glance/quota}): add {@code /locations/N|-}, replace {@code /locations}, remove
 * {@code /locations/N}, each with Glance's checks in Glance's order. They change the in-memory copy of the image only;
 * {@link #persist} writes the locations once the image itself has been saved.
 */
final class LocationPatch {
    private static final Logger LOG = LoggerFactory.getLogger(LocationPatch.class);
    /** The reference's one text for Glance's three (add / update / remove) refusals. */
    private static final String INVISIBLE = "It's not allowed to add/update/remove locations if locations are invisible.";

    private final ApiSettings config;
    private final StoreRegistry stores;
    private final LocationResolver resolver;
    private final LocationRepository repository;
    private final ImageGuard guard;
    private final Schemas schemas;

    LocationPatch(ApiSettings config, StoreRegistry stores, LocationRepository repository, ImageGuard guard,
                  Schemas schemas) {
        this.config = config;
        this.stores = stores;
        this.resolver = new LocationResolver(stores);
        this.repository = repository;
        this.guard = guard;
        this.schemas = schemas;
    }

    /** Applies one location operation to {@code img} (the working copy). */
    void apply(RequestContext ctx, Image img, ImagePatch.Op op) {
        if (!op.op().equals("remove")) {
            JsonNode checked = op.path().size() == 2 ? Json.MAPPER.createArrayNode().add(op.value()) : op.value();
            String err = schemas.validateImageValue("locations", checked);
            if (err != null) {
                throw ApiException.badRequest(Schemas.notMatching("image", err));
            }
        }
        switch (op.op()) {
            case "add" -> add(ctx, img, op.path().get(1), op.value());
            case "replace" -> replace(ctx, img, op.value());
            default -> remove(ctx, img, op.path().get(1));
        }
    }

    private void add(RequestContext ctx, Image img, String position, JsonNode value) {
        guard.enforce("set_image_location", ctx, img);
        if (!config.showMultipleLocations()) {
            throw ApiException.forbidden(INVISIBLE);
        }
        requireStatus(img, "add", ImageStatus.QUEUED, ImageStatus.ACTIVE);
        Map<String, String> validation = validationData(img, List.of(value));
        Location loc = location(value);
        List<Location> active = active(img);
        Integer pos = position(position, active.size(), true);
        if (pos == null) {
            throw ApiException.badRequest("Invalid position for adding a location.");
        }
        enforceQuota(active.size() + 1);
        LocationResolver.Resolved resolved = resolve(ctx, loc.url());
        if (active.stream().anyMatch(l -> l.url().equals(loc.url()) && l.metadata().equals(loc.metadata()))) {
            throw ApiException.badRequest("The location " + loc.url() + " already exists");
        }
        active.add(Math.min(pos, active.size()), loc);
        setActive(img, active);
        if (img.size == null || img.size == 0) {
            img.size = resolved.size();
        }
        activateIfQueued(img, validation);
    }

    private void replace(RequestContext ctx, Image img, JsonNode value) {
        // invisible locations come first here (Glance checks the empty list first): same status, and the caller
        // learns the real reason
        if (!config.showMultipleLocations()) {
            throw ApiException.forbidden(INVISIBLE);
        }
        if (value.isEmpty()) {
            throw ApiException.forbidden("Cannot set locations to empty list.");
        }
        guard.enforce("set_image_location", ctx, img);
        requireStatus(img, "replace", ImageStatus.QUEUED, ImageStatus.ACTIVE);
        List<JsonNode> entries = new ArrayList<>();
        value.forEach(entries::add);
        Map<String, String> validation = validationData(img, entries);
        List<Location> current = active(img);
        List<Location> wanted = new ArrayList<>();
        entries.forEach(e -> wanted.add(asCurrent(location(e), current)));
        enforceQuota(wanted.size());
        List<String> wantedUrls = wanted.stream().map(Location::url).sorted().toList();
        List<String> currentUrls = current.stream().map(Location::url).sorted().toList();
        if (!current.isEmpty() && !wantedUrls.equals(currentUrls)) {
            throw ApiException.badRequest("Original locations is not empty: " + describe(current));
        }
        List<Location> result = new ArrayList<>();
        if (current.isEmpty()) {
            Long size = null;
            for (Location l : wanted) {
                LocationResolver.Resolved r = resolve(ctx, l.url());
                if (wanted.stream().filter(o -> o.url().equals(l.url()) && o.metadata().equals(l.metadata()))
                        .count() > 1) {
                    throw ApiException.badRequest("The location " + l.url() + " already exists");
                }
                size = size == null ? r.size() : size;
            }
            result.addAll(wanted);
            if (img.size == null || img.size == 0) {
                img.size = size;
            }
        } else {
            // same URLs: only metadata and order change; each row keeps its identity (and its data)
            List<Location> unmatched = new ArrayList<>(current);
            for (Location l : wanted) {
                Location same = unmatched.stream().filter(c -> c.url().equals(l.url())).findFirst().orElseThrow();
                unmatched.remove(same);
                result.add(new Location(same.id(), same.url(), l.metadata(), same.storeId(), Location.ACTIVE));
            }
        }
        setActive(img, result);
        activateIfQueued(img, validation);
    }

    /**
     * A wanted location given as it was shown (its credentials hidden, see {@link LocationUrls}) stands for the
     * current location it was shown for, so a client can send back the list it read.
     */
    private static Location asCurrent(Location wanted, List<Location> current) {
        for (Location c : current) {
            if (!c.url().equals(wanted.url()) && LocationUrls.shown(c.url()).equals(wanted.url())) {
                return new Location(wanted.id(), c.url(), wanted.metadata(), wanted.storeId(), wanted.status());
            }
        }
        return wanted;
    }

    private void remove(RequestContext ctx, Image img, String position) {
        guard.enforce("delete_image_location", ctx, img);
        if (!config.showMultipleLocations()) {
            throw ApiException.forbidden(INVISIBLE);
        }
        requireStatus(img, "remove", ImageStatus.ACTIVE);
        List<Location> active = active(img);
        if (active.size() == 1) {
            throw ApiException.forbidden("Cannot remove last location in the image.");
        }
        Integer pos = position(position, active.size(), false);
        if (pos == null) {
            throw ApiException.badRequest("Invalid position for removing a location.");
        }
        active.remove((int) pos);
        setActive(img, active);
    }

    /** Writes the location rows of {@code changed}; {@link #restore} undoes it if the image save then fails. */
    void persist(Image changed) {
        repository.rewrite(changed.id, active(changed));
    }

    /** The locations of {@code before} that {@code changed} no longer has, by id and by URL. */
    private static List<Location> removed(Image before, Image changed) {
        List<Location> now = active(changed);
        Set<Long> kept = now.stream().map(Location::id).collect(Collectors.toSet());
        Set<String> keptUrls = now.stream().map(Location::url).collect(Collectors.toSet());
        return active(before).stream().filter(l -> !kept.contains(l.id()) && !keptUrls.contains(l.url())).toList();
    }

    /**
     * Before the save: 409 when the data of a location being removed is in use outside Ferry (an rbd image with
     * clones), so the location is neither removed from the image nor deleted from its store.
     */
    void refuseRemovingDataInUse(Image before, Image changed) {
        for (Location l : removed(before, changed)) {
            Optional<Store> s = stores.forLocation(l.storeId(), l.url());
            if (s.isEmpty()) {
                continue;
            }
            DataInUse.refuse(stores, s.get(), l.url(), reason -> "The location " + LocationUrls.shown(l.url()) + " cannot be removed "
                    + "because its data is in use: " + reason, "remove location " + LocationUrls.shown(l.url()));
        }
    }

    /**
     * After the save: deletes the data of removed locations from their stores, as Glance's location pop does
     * (unless another location still names the same URL).
     */
    void deleteRemovedData(Image before, Image changed, RequestContext caller) {
        for (Location l : removed(before, changed)) {
            stores.forLocation(l.storeId(), l.url()).ifPresent(s -> {
                try {
                    s.delete(l.url(), caller);
                } catch (IOException e) {
                    LOG.warn("image {}: location {} removed but its data in store {} could not be deleted: {}",
                            changed.id, l.url(), s.id(), e.toString());
                }
            });
        }
    }

    /** Whether the operations changed the locations (then {@link #persist} has work to do). */
    static boolean changed(Image before, Image changed) {
        return !active(before).equals(active(changed));
    }

    /** Puts the location rows back as they were, after the image save failed. */
    void restore(Image before) {
        repository.rewrite(before.id, active(before));
    }

    static List<Location> active(Image img) {
        return new ArrayList<>(img.locations.stream().filter(Location::isActive).toList());
    }

    private static void setActive(Image img, List<Location> active) {
        List<Location> others = img.locations.stream().filter(l -> !l.isActive()).toList();
        img.locations.clear();
        img.locations.addAll(active);
        img.locations.addAll(others);
    }

    private static void requireStatus(Image img, String verb, ImageStatus... allowed) {
        if (!List.of(allowed).contains(img.status)) {
            throw ApiException.conflict("It's not allowed to " + verb + " locations if image status is "
                    + img.status + ".");
        }
    }

    /** {@code images.py _get_locations_op_pos}: a digit string or "-" (the end); null when out of range. */
    private static Integer position(String p, int size, boolean allowEnd) {
        int pos = allowEnd ? size : size - 1;
        if (!p.isEmpty() && p.chars().allMatch(Character::isDigit)) {
            try {
                pos = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return allowEnd ? size : null;
            }
        } else if (!p.equals("-")) {
            return null;
        }
        if (!allowEnd && (pos < 0 || pos >= size)) {
            return null;
        }
        return pos;
    }

    private void enforceQuota(int attempted) {
        int max = config.quotas().imageLocationQuota();
        if (max >= 0 && attempted > max) {
            throw new ApiException(413, "The limit has been exceeded on the number of allowed image locations. "
                    + "Attempted: " + attempted + ", Maximum: " + max);
        }
    }

    /** The location of a patch value, its metadata checked as glance_store does and its store recorded. */
    private Location location(JsonNode value) {
        String url = value.get("url").asText();
        checkMetadata(value.get("metadata"), "");
        Map<String, Object> metadata = new LinkedHashMap<>();
        value.get("metadata").fields().forEachRemaining(e ->
                metadata.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class)));
        String storeId = resolver.storeFor(url).map(Store::id).orElse(null);
        if (stores.multistore() && storeId != null) {
            metadata.put("store", storeId);
        }
        return new Location(0, url, metadata, storeId, Location.ACTIVE);
    }

    /** glance_store's check_location_metadata: only objects, arrays and strings. */
    private static void checkMetadata(JsonNode v, String key) {
        if (v.isObject()) {
            v.fields().forEachRemaining(e -> checkMetadata(e.getValue(), e.getKey()));
        } else if (v.isArray()) {
            v.forEach(x -> checkMetadata(x, key));
        } else if (!v.isTextual()) {
            throw ApiException.badRequest("The image metadata key " + key + " has an invalid type of "
                    + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                    + ". Only dict, list, and unicode are supported.");
        }
    }

    private LocationResolver.Resolved resolve(RequestContext ctx, String url) {
        boolean trusted = ctx.isAdmin() || ctx.hasRole("service");
        try {
            return resolver.resolve(url, trusted);
        } catch (LocationResolver.InvalidLocation e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /**
     * {@code images.py _validate_validation_data}: the new hash values the locations bring, after Glance's 409
     * checks (conflicting values, a different value already set, not queued, bad hex or length, wrong algorithm).
     */
    private Map<String, String> validationData(Image img, List<JsonNode> locations) {
        Map<String, String> given = new LinkedHashMap<>();
        for (JsonNode loc : locations) {
            JsonNode vd = loc.get("validation_data");
            if (vd == null) {
                continue;
            }
            vd.fields().forEachRemaining(e -> {
                String v = e.getValue().asText();
                String prior = given.putIfAbsent(e.getKey(), v);
                if (prior != null && !prior.equals(v)) {
                    throw ApiException.conflict("Conflicting values for " + e.getKey());
                }
            });
        }
        Map<String, String> fresh = new LinkedHashMap<>();
        for (var e : given.entrySet()) {
            String current = current(img, e.getKey());
            if (e.getValue().equals(current)) {
                continue;
            }
            if (current != null && !current.isEmpty()) {
                throw ApiException.conflict(e.getKey() + " is already set with a different value");
            }
            fresh.put(e.getKey(), e.getValue());
        }
        if (fresh.isEmpty()) {
            return fresh;
        }
        if (!ImageStatus.QUEUED.equals(img.status)) {
            throw ApiException.conflict("New value(s) for " + String.join(", ", fresh.keySet())
                    + " may only be provided when image status is 'queued'");
        }
        if (fresh.containsKey("checksum")) {
            byte[] md5 = hex(fresh.get("checksum"));
            if (md5 == null) {
                throw ApiException.conflict("checksum (" + fresh.get("checksum") + ") is not a valid hexadecimal value");
            }
            if (md5.length != 16) {
                throw ApiException.conflict("checksum (" + fresh.get("checksum") + ") is not the correct size for md5 "
                        + "(should be 16 bytes)");
            }
        }
        String algo = fresh.get("os_hash_algo");
        if (!config.hashingAlgorithm().equals(algo)) {
            throw ApiException.conflict("os_hash_algo must be " + config.hashingAlgorithm() + ", not "
                    + (algo == null ? "None" : algo));
        }
        String value = fresh.get("os_hash_value");
        if (value != null) {
            byte[] hash = hex(value);
            if (hash == null) {
                throw ApiException.conflict("os_hash_value (" + value + ") is not a valid hexadecimal value");
            }
            int want = digestLength(algo);
            if (hash.length != want) {
                throw ApiException.conflict("os_hash_value (" + value + ") is not the correct size for " + algo
                        + " (should be " + want + " bytes)");
            }
        }
        return fresh;
    }

    private static String current(Image img, String key) {
        return switch (key) {
            case "checksum" -> img.checksum;
            case "os_hash_algo" -> img.osHashAlgo;
            case "os_hash_value" -> img.osHashValue;
            default -> null;
        };
    }

    /** queued -> active once the image has data somewhere; the validation data becomes its hashes. */
    private static void activateIfQueued(Image img, Map<String, String> validation) {
        if (!ImageStatus.QUEUED.equals(img.status)) {
            return;
        }
        validation.forEach((k, v) -> {
            switch (k) {
                case "checksum" -> img.checksum = v;
                case "os_hash_algo" -> img.osHashAlgo = v;
                case "os_hash_value" -> img.osHashValue = v;
                default -> {
                }
            }
        });
        requireFormats(img);
        img.status = ImageStatus.ACTIVE;
    }

    /** Glance's ValueError of a queued image going active without formats. */
    static void requireFormats(Image img) {
        List<String> missing = new ArrayList<>();
        if (img.diskFormat == null || img.diskFormat.isEmpty()) {
            missing.add("disk_format");
        }
        if (img.containerFormat == null || img.containerFormat.isEmpty()) {
            missing.add("container_format");
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest((missing.size() == 1 ? "Property " : "Properties ")
                    + String.join(", ", missing) + " must be set prior to saving data.");
        }
    }

    static byte[] hex(String s) {
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Digest size in bytes of a hashlib algorithm name (0 if the JVM lacks it). */
    static int digestLength(String hashlibName) {
        return HashAlgorithms.javaName(hashlibName).map(n -> {
            try {
                return MessageDigest.getInstance(n).getDigestLength();
            } catch (NoSuchAlgorithmException e) {
                return 0;
            }
        }).orElse(0);
    }

    private static String describe(List<Location> locations) {
        return locations.stream().map(l -> "{'url': '" + LocationUrls.shown(l.url()) + "', 'metadata': " + Json.write(l.metadata()) + "}")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
