package org.ferry.api;

import org.ferry.catalog.ImageAttributes;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageListQuery;
import org.ferry.catalog.ImageRepository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Validates the query of GET /v2/images (Glance's index deserializer) and turns it into an {@link ImageListQuery}. */
final class ImageListParams {
    private static final Set<String> VISIBILITIES = Set.of("public", "private", "shared", "community", "all");
    private static final Set<String> MEMBER_STATUSES = Set.of("pending", "accepted", "rejected", "all");
    private static final Set<String> OPERATOR_FILTERS = Set.of("name", "id", "status", "container_format", "disk_format");

    private final ApiSettings config;
    private final ImageRepository images;

    ImageListParams(ApiSettings config, ImageRepository images) {
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
                        throw ApiException.badRequest("Invalid status: " + v);
                    }
                    memberStatus = v;
                }
                case "os_hidden" -> osHidden = bool(k, v.toLowerCase(Locale.ROOT));
                case "protected" -> protectedFilter = bool(k, v);
                case "size_min" -> sizeMin = range(v);
                case "size_max" -> sizeMax = range(v);
                case "tag" -> tags.add(v.strip());
                case "changes-since" -> throw ApiException.badRequest(
                        "The \"changes-since\" filter is no longer available on v2.");
                // Glance turns the filters into a dict, so a repeated filter key means its last value
                case "created_at", "updated_at" -> {
                    dates.removeIf(d -> d.column().equals(k));
                    dates.add(date(k, v));
                }
                default -> {
                    if (OPERATOR_FILTERS.contains(k)) {
                        core.put(k, operatorValues(v));
                    } else if (ImageListQuery.FILTER_COLUMNS.contains(k)) {
                        if (List.of("size", "virtual_size", "min_disk", "min_ram").contains(k)) {
                            number(k, v);
                        }
                        core.put(k, List.of(v));
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

    /** Glance's {@code _image_get}: unknown (or deleted, unless the caller is an admin) is 400, not visible 403. */
    private Image marker(RequestContext ctx, String id) {
        Image m = (ctx.isAdmin() ? images.findWithDeleted(id) : images.find(id))
                .orElseThrow(() -> ApiException.badRequest("No image found with ID " + id));
        if (!ImageGuard.isVisible(ctx, m, images.memberStatus(id, ctx.projectId()).isPresent())) {
            throw ApiException.forbidden("Forbidding request, image " + id + " not visible");
        }
        return m;
    }

    /**
     * Glance's {@code _get_sorting_params}, then the tie-breakers {@code _image_get_all} appends: {@code created_at}
     * and {@code id}, unless already keys, in the one direction given, or {@code desc} when several were given.
     */
    private static List<ImageListQuery.SortKey> sort(List<String> keys, List<String> dirs, String sortNew) {
        List<ImageListQuery.SortKey> out = new ArrayList<>();
        List<Boolean> given = new ArrayList<>();
        if (sortNew != null) {
            if (!keys.isEmpty() || !dirs.isEmpty()) {
                throw ApiException.badRequest("Old and new sorting syntax cannot be combined");
            }
            for (String part : sortNew.strip().split(",", -1)) {
                int c = part.indexOf(':');
                String dir = c < 0 || part.substring(c + 1).isEmpty() ? "desc" : part.substring(c + 1).strip();
                boolean asc = ascending(dir);
                out.add(new ImageListQuery.SortKey(sortKey((c < 0 ? part : part.substring(0, c)).strip()), asc));
                given.add(asc);
            }
        } else {
            List<String> validKeys = new ArrayList<>();
            for (String k : keys) {
                validKeys.add(sortKey(k.strip()));
            }
            for (String d : dirs) {
                given.add(ascending(d.strip()));
            }
            if (given.size() > 1 && given.size() != validKeys.size()) {
                throw ApiException.badRequest("Number of sort dirs does not match the number of sort keys");
            }
            if (validKeys.isEmpty()) {
                validKeys.add("created_at");
            }
            if (given.isEmpty()) {
                given.add(false);
            }
            for (int i = 0; i < validKeys.size(); i++) {
                out.add(new ImageListQuery.SortKey(validKeys.get(i), given.get(given.size() == 1 ? 0 : i)));
            }
        }
        boolean tieAscending = given.size() == 1 && given.get(0);
        for (String tie : List.of("created_at", "id")) {
            if (out.stream().noneMatch(k -> k.column().equals(tie))) {
                out.add(new ImageListQuery.SortKey(tie, tieAscending));
            }
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

    /** Glance's index: exactly {@code true} or {@code false} (it lower-cases os_hidden first, not protected). */
    private static boolean bool(String k, String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("Invalid value '" + v + "' for '" + k
                    + "' filter. Valid values are 'true' or 'false'.");
        };
    }

    private static long number(String k, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid value '" + v + "' for parameter '" + k + "': Expected an integer.");
        }
    }

    /** {@code in:"a","b"}, {@code eq:x} or a plain value (another operator is 400, as in Glance). */
    private static List<String> operatorValues(String v) {
        FilterOperator f = FilterOperator.split(v);
        return switch (f.op()) {
            case "in" -> f.items();
            case "eq" -> List.of(f.threshold());
            default -> throw ApiException.badRequest("Unable to filter by unknown operator '" + f.op() + "'.");
        };
    }

    /** Glance parses the time before it looks at the operator. */
    private static ImageListQuery.DateFilter date(String k, String v) {
        FilterOperator f = FilterOperator.split(v);
        Instant t = FilterOperator.isoTime(f.threshold());
        if (t == null) {
            throw ApiException.badRequest("Bad \"" + k + "\" query filter format. Use ISO 8601 DateTime notation.");
        }
        if (!Set.of("gt", "gte", "eq", "neq", "lt", "lte").contains(f.op())) {
            throw ApiException.badRequest("Unable to filter on a unknown operator.");
        }
        return new ImageListQuery.DateFilter(k, f.op(), t);
    }

    /** size_min and size_max (Glance's int(), which allows surrounding blanks). */
    private static long range(String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Unable to filter on a range with a non-numeric value.");
        }
    }
}
