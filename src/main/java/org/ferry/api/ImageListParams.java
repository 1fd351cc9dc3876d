package org.ferry.api;

import org.ferry.app.FerryConfig;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageListQuery;
import org.ferry.catalog.ImageRepository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Validates the query of GET /v2/images (Glance's index deserializer) and turns it into an {@link ImageListQuery}. */
final class ImageListParams {
    private static final Set<String> VISIBILITIES = Set.of("public", "private", "shared", "community", "all");
    private static final Set<String> MEMBER_STATUSES = Set.of("pending", "accepted", "rejected", "all");
    private static final Set<String> OPERATOR_FILTERS = Set.of("name", "id", "status", "container_format", "disk_format");

    private final FerryConfig config;
    private final ImageRepository images;

    ImageListParams(FerryConfig config, ImageRepository images) {
        this.config = config;
        this.images = images;
    }

    ImageListQuery parse(ApiRequest req) {
        RequestContext ctx = req.context();
        int limit = config.limitParamDefault();
        String visibility = null;
        String memberStatus = "accepted";
        boolean osHidden = false;
        Boolean protectedFilter = null;
        Long sizeMin = null;
        Long sizeMax = null;
        Image marker = null;
        List<String> tags = new ArrayList<>();
        List<String> sortKeys = new ArrayList<>();
        List<String> sortDirs = new ArrayList<>();
        String sortNew = null;
        Map<String, List<String>> core = new LinkedHashMap<>();
        Map<String, String> props = new LinkedHashMap<>();
        List<ImageListQuery.DateFilter> dates = new ArrayList<>();
        for (var e : req.query()) {
            String k = e.getKey();
            String v = e.getValue();
            switch (k) {
                case "limit" -> {
                    try {
                        limit = Integer.parseInt(v);
                    } catch (NumberFormatException ex) {
                        throw ApiException.badRequest("limit param must be an integer");
                    }
                    if (limit < 0) {
                        throw ApiException.badRequest("limit param must be positive");
                    }
                }
                case "marker" -> marker = marker(ctx, v);
                case "sort_key" -> sortKeys.add(v);
                case "sort_dir" -> sortDirs.add(v);
                case "sort" -> sortNew = v;
                case "visibility" -> {
                    if (!VISIBILITIES.contains(v)) {
                        throw ApiException.badRequest("Invalid visibility value: " + v);
                    }
                    visibility = v;
                }
                case "member_status" -> {
                    if (!MEMBER_STATUSES.contains(v)) {
                        throw ApiException.badRequest("Invalid status value: " + v);
                    }
                    memberStatus = v;
                }
                case "os_hidden" -> osHidden = bool(k, v);
                case "protected" -> protectedFilter = bool(k, v);
                case "size_min" -> sizeMin = number(k, v);
                case "size_max" -> sizeMax = number(k, v);
                case "tag" -> tags.add(v);
                case "changes-since" -> throw ApiException.badRequest(
                        "The parameter changes-since is no longer available on v2. Use created_at or updated_at.");
                case "created_at", "updated_at" -> dates.add(date(k, v));
                default -> {
                    if (OPERATOR_FILTERS.contains(k)) {
                        core.computeIfAbsent(k, x -> new ArrayList<>()).addAll(operatorValues(k, v));
                    } else if (ImageListQuery.FILTER_COLUMNS.contains(k)) {
                        if (List.of("size", "virtual_size", "min_disk", "min_ram").contains(k)) {
                            number(k, v);
                        }
                        core.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                    } else if (!ImageAttributes.CORE.contains(k)) {
                        props.put(k, v);
                    }
                }
            }
        }
        List<ImageListQuery.SortKey> sort = sort(sortKeys, sortDirs, sortNew);
        return new ImageListQuery(ctx.projectId(), ctx.isAdmin(), visibility, memberStatus, osHidden, core, props, tags,
                sizeMin, sizeMax, dates, protectedFilter, sort, marker, Math.min(limit, config.apiLimitMax()));
    }

    private Image marker(RequestContext ctx, String id) {
        Image m = images.find(id).orElseThrow(() -> ApiException.badRequest("Marker " + id + " could not be found."));
        if (!ImageGuard.isVisible(ctx, m, images.memberStatus(id, ctx.projectId()).isPresent())) {
            throw ApiException.forbidden("Marker " + id + " is not visible to you.");
        }
        return m;
    }

    private static List<ImageListQuery.SortKey> sort(List<String> keys, List<String> dirs, String sortNew) {
        List<ImageListQuery.SortKey> out = new ArrayList<>();
        if (sortNew != null) {
            if (!keys.isEmpty() || !dirs.isEmpty()) {
                throw ApiException.badRequest("Old and new sorting syntax cannot be combined");
            }
            // Glance partitions each part at its first ':', so "name:asc:desc" has the direction "asc:desc" (400)
            // and an empty part is an empty key (400)
            for (String part : sortNew.strip().split(",", -1)) {
                int colon = part.indexOf(':');
                String key = colon < 0 ? part : part.substring(0, colon);
                String dir = colon < 0 || part.substring(colon + 1).isEmpty() ? "desc" : part.substring(colon + 1);
                out.add(new ImageListQuery.SortKey(sortKey(key.strip()), ascending(dir.strip())));
            }
            return out;
        }
        if (keys.isEmpty()) {
            keys = List.of("created_at");
        }
        if (dirs.size() > 1 && dirs.size() != keys.size()) {
            throw ApiException.badRequest("Number of sort dirs does not match the number of sort keys");
        }
        for (int i = 0; i < keys.size(); i++) {
            String dir = dirs.isEmpty() ? "desc" : dirs.size() == 1 ? dirs.get(0) : dirs.get(i);
            out.add(new ImageListQuery.SortKey(sortKey(keys.get(i)), ascending(dir)));
        }
        return out;
    }

    private static String sortKey(String k) {
        if (!ImageListQuery.SORT_KEYS.contains(k)) {
            throw ApiException.badRequest("Invalid sort key: " + k + ". It must be one of the following: "
                    + String.join(", ", ImageListQuery.SORT_KEYS) + ".");
        }
        return k;
    }

    private static boolean ascending(String dir) {
        return switch (dir) {
            case "asc" -> true;
            case "desc" -> false;
            default -> throw ApiException.badRequest("Invalid sort direction: " + dir);
        };
    }

    private static boolean bool(String k, String v) {
        return switch (v.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("Invalid value '" + v + "' for parameter '" + k
                    + "': Expected a boolean value, true or false.");
        };
    }

    private static long number(String k, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid value '" + v + "' for parameter '" + k + "': Expected an integer.");
        }
    }

    /** {@code in:"a","b"} / {@code eq:x} / plain value. */
    private static List<String> operatorValues(String k, String v) {
        if (v.startsWith("in:")) {
            List<String> out = new ArrayList<>();
            for (String item : v.substring(3).split(",")) {
                String s = item.strip();
                if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                    s = s.substring(1, s.length() - 1);
                }
                out.add(s);
            }
            return out;
        }
        if (v.startsWith("eq:")) {
            return List.of(v.substring(3));
        }
        int c = v.indexOf(':');
        if (c > 0 && v.substring(0, c).matches("[a-z]+") && !k.equals("name")) {
            throw ApiException.badRequest("Unable to filter by unknown operator '" + v.substring(0, c) + "'.");
        }
        return List.of(v);
    }

    private static ImageListQuery.DateFilter date(String k, String v) {
        // Glance's split_filter_op: a value that is an ISO 8601 time as a whole has no operator and means eq
        Instant whole = isoTime(v);
        if (whole != null) {
            return new ImageListQuery.DateFilter(k, "eq", whole);
        }
        int c = v.indexOf(':');
        String op = c > 0 ? v.substring(0, c) : "";
        if (!Set.of("gt", "gte", "eq", "neq", "lt", "lte").contains(op)) {
            throw ApiException.badRequest("Unable to filter by unknown operator '" + op + "'.");
        }
        String when = v.substring(c + 1);
        Instant t = isoTime(when);
        if (t == null) {
            throw ApiException.badRequest("Unable to filter on a invalid date: " + when);
        }
        return new ImageListQuery.DateFilter(k, op, t);
    }

    /** An ISO 8601 time (UTC when no offset is given), or null. */
    private static Instant isoTime(String when) {
        try {
            return OffsetDateTime.parse(when.endsWith("Z") || when.matches(".*[+-]\\d\\d:\\d\\d$") ? when : when + "Z")
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
