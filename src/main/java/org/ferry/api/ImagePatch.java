package org.ferry.api;

import org.ferry.catalog.ImageAttributes;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.config.Quotas;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * PATCH /v2/images/{id}: parses both JSON-patch media types and applies the operations to a copy of the image with
 * Glance's rules; the caller saves the result once, so a request is all-or-nothing.
 */
final class ImagePatch {
    static final String V21 = "application/openstack-images-v2.1-json-patch";
    static final String V20 = "application/openstack-images-v2.0-json-patch";
    private static final String ACCEPT_PATCH = V20 + ", " + V21;

    record Op(String op, String pathText, List<String> path, JsonNode value, boolean draft4) {
        String attribute() {
            return path.get(0);
        }
    }

    private final Schemas schemas;
    private final ImageGuard guard;
    private final Quotas quotas;
    private final LocationPatch locations;

    ImagePatch(Schemas schemas, ImageGuard guard, Quotas quotas, LocationPatch locations) {
        this.schemas = schemas;
        this.guard = guard;
        this.quotas = quotas;
        this.locations = locations;
    }

    /** The patch media type: true for draft-4 (v2.0), false for v2.1; anything else is 415 with Accept-Patch. */
    static boolean draft4(String contentType) {
        String ct = contentType == null ? "" : contentType.split(";")[0].strip();
        if (ct.equals(V21)) {
            return false;
        } else if (ct.equals(V20)) {
            return true;
        }
        throw new ApiException(415, "Unsupported Content-Type").header("Accept-Patch", ACCEPT_PATCH);
    }

    static List<Op> parse(String contentType, JsonNode body) {
        boolean draft4 = draft4(contentType);
        if (!body.isArray()) {
            throw ApiException.badRequest("Request body must be a JSON array of operation objects.");
        }
        List<Op> ops = new ArrayList<>();
        for (JsonNode raw : body) {
            if (!raw.isObject()) {
                throw ApiException.badRequest("Operations must be JSON objects.");
            }
            String op;
            JsonNode pathNode;
            if (draft4) {
                List<String> present = new ArrayList<>();
                for (String name : List.of("add", "remove", "replace")) {
                    if (raw.has(name)) {
                        present.add(name);
                    }
                }
                if (present.size() != 1) {
                    throw ApiException.badRequest("Operation objects must contain exactly one member named "
                            + "\"add\", \"remove\", or \"replace\".");
                }
                op = present.get(0);
                pathNode = raw.get(op);
            } else {
                if (!raw.has("op")) {
                    throw ApiException.badRequest("Operation objects must contain a member named \"op\".");
                }
                op = raw.get("op").asText();
                if (!List.of("add", "remove", "replace").contains(op)) {
                    throw ApiException.badRequest("Invalid operation: `" + op + "`: must be one of add, remove, replace.");
                }
                if (!raw.has("path")) {
                    throw ApiException.badRequest("Unable to find '" + "path" + "' in JSON Schema change");
                }
                pathNode = raw.get("path");
            }
            if (pathNode == null || !pathNode.isTextual()) {
                throw ApiException.badRequest("Unable to find 'path' in JSON Schema change");
            }
            if (!op.equals("remove") && !raw.has("value")) {
                throw ApiException.badRequest("Operation \"" + op + "\" requires a member named \"value\".");
            }
            String pathText = pathNode.asText();
            List<String> path = pointer(pathText);
            boolean locations = path.get(0).equals("locations");
            int allowedDepth = locations && !op.equals("replace") ? 2 : 1;
            if (path.size() != allowedDepth) {
                throw ApiException.badRequest("Invalid JSON pointer for this resource: '" + pathText + "'");
            }
            ops.add(new Op(op, pathText, path, raw.get("value"), draft4));
        }
        return ops;
    }

    private static List<String> pointer(String p) {
        if (!p.startsWith("/") || p.contains("//") || p.endsWith("/") && p.length() > 1 || p.equals("/")) {
            throw ApiException.badRequest("Pointer `" + p + "` does not start with \"/\" or contains an empty segment.");
        }
        List<String> out = new ArrayList<>();
        for (String seg : p.substring(1).split("/")) {
            for (int i = 0; i < seg.length(); i++) {
                if (seg.charAt(i) == '~' && (i + 1 >= seg.length() || (seg.charAt(i + 1) != '0' && seg.charAt(i + 1) != '1'))) {
                    throw ApiException.badRequest("Pointer `" + p + "` contains \"~\" not part of a recognized escape sequence.");
                }
            }
            out.add(seg.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    /** Applies the operations to a copy of {@code img}; every check is made before anything is saved. */
    Image apply(RequestContext ctx, Image original, List<Op> ops) {
        Image img = original.copy();
        for (Op op : ops) {
            String attr = op.attribute();
            if (ImageAttributes.PATCH_READ_ONLY.contains(attr)) {
                throw ApiException.forbidden("Attribute '" + attr + "' is read-only.");
            }
            if (ImageAttributes.isReserved(attr)) {
                throw ApiException.forbidden("Attribute '" + attr + "' is reserved.");
            }
            if (attr.equals("locations")) {
                // location operations have their own policies (set/delete_image_location), not modify_image
                locations.apply(ctx, img, op);
                continue;
            }
            guard.enforce("modify_image", ctx, original);
            if (!op.op().equals("remove")) {
                JsonNode value = op.value();
                String err = schemas.validateImageValue(attr, value);
                if (err != null) {
                    throw ApiException.badRequest(Schemas.notMatching("image", err));
                }
                if (!ImageAttributes.CORE.contains(attr) && attr.length() > 255) {
                    throw ApiException.badRequest("Custom property should not be greater than 255 characters.");
                }
                if (ImageAttributes.hasFourByteChars(attr) || value.isTextual()
                        && ImageAttributes.hasFourByteChars(value.asText())) {
                    throw ApiException.badRequest("Invalid 4-byte UTF-8 character in " + attr);
                }
            }
            boolean core = ImageAttributes.CORE.contains(attr);
            switch (op.op()) {
                case "remove" -> {
                    if (core) {
                        throw ApiException.forbidden("Property " + attr + " may not be removed.");
                    }
                    if (img.properties.remove(attr) == null) {
                        throw ApiException.conflict("Property " + attr + " does not exist.");
                    }
                }
                case "replace" -> {
                    if (core) {
                        setCore(ctx, original, img, attr, op.value());
                    } else {
                        if (!img.properties.containsKey(attr)) {
                            throw ApiException.conflict("Property " + attr + " does not exist.");
                        }
                        img.properties.put(attr, op.value().isNull() ? "" : op.value().asText());
                    }
                }
                default -> {
                    if (op.draft4() && (core || img.properties.containsKey(attr))) {
                        throw ApiException.conflict("Property " + attr + " already present.");
                    }
                    if (core) {
                        setCore(ctx, original, img, attr, op.value());
                    } else {
                        img.properties.put(attr, op.value().isNull() ? "" : op.value().asText());
                    }
                }
            }
        }
        if (quotas.imagePropertyQuota() >= 0 && img.properties.size() > original.properties.size()
                && img.properties.size() > quotas.imagePropertyQuota()) {
            throw new ApiException(413, "Attempted to add or update more properties than allowed ("
                    + quotas.imagePropertyQuota() + ").");
        }
        if (quotas.imageTagQuota() >= 0 && img.tags.size() > quotas.imageTagQuota()) {
            throw new ApiException(413, "Attempted to add more tags than allowed (" + quotas.imageTagQuota() + ").");
        }
        return img;
    }

    private void setCore(RequestContext ctx, Image original, Image img, String attr, JsonNode v) {
        switch (attr) {
            case "name" -> img.name = v.isNull() ? null : v.asText();
            case "visibility" -> {
                String vis = v.asText();
                if (vis.equals("public") && !vis.equals(original.visibility)) {
                    guard.enforce("publicize_image", ctx, original);
                } else if (vis.equals("community") && !vis.equals(original.visibility)) {
                    guard.enforce("communitize_image", ctx, original);
                }
                img.visibility = vis;
            }
            case "protected" -> img.isProtected = v.asBoolean();
            case "os_hidden" -> img.osHidden = v.asBoolean();
            case "owner" -> {
                // Glance forgets this check for "add"; Ferry applies it to both operations
                if (!ctx.isAdmin()) {
                    throw ApiException.forbidden("Owner can't be updated by non admin.");
                }
                img.owner = v.isNull() ? null : v.asText();
            }
            case "disk_format", "container_format" -> {
                if (!ImageStatus.QUEUED.equals(original.status) && !ImageStatus.IMPORTING.equals(original.status)) {
                    throw ApiException.forbidden("Attribute " + attr + " can be only replaced for a queued image.");
                }
                String f = v.isNull() ? null : v.asText();
                if (attr.equals("disk_format")) {
                    img.diskFormat = f;
                } else {
                    img.containerFormat = f;
                }
            }
            case "min_disk" -> img.minDisk = v.asInt();
            case "min_ram" -> img.minRam = v.asInt();
            case "tags" -> {
                img.tags.clear();
                v.forEach(t -> img.tags.add(t.asText()));
            }
            default -> throw ApiException.forbidden("Attribute '" + attr + "' is read-only.");
        }
    }
}
