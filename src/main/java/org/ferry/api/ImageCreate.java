package org.ferry.api;

import org.ferry.catalog.ImageAttributes;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.config.Quotas;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;

import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/** Turns a POST /v2/images body into a new image, with Glance's checks in Glance's order. */
final class ImageCreate {
    private final Schemas schemas;
    private final ImageGuard guard;
    private final Quotas quotas;

    ImageCreate(Schemas schemas, ImageGuard guard, Quotas quotas) {
        this.schemas = schemas;
        this.guard = guard;
        this.quotas = quotas;
    }

    Image build(RequestContext ctx, JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("Malformed JSON in request body.");
        }
        for (String k : ImageAttributes.CREATE_DISALLOWED) {
            if (body.has(k)) {
                throw ApiException.forbidden("Attribute '" + k + "' is read-only.");
            }
        }
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            var e = it.next();
            String err = schemas.validateImageValue(e.getKey(), e.getValue());
            if (err != null) {
                throw ApiException.badRequest(Schemas.notMatching("image", err));
            }
        }
        it = body.fields();
        while (it.hasNext()) {
            var e = it.next();
            String k = e.getKey();
            if (!ImageAttributes.CORE.contains(k) && k.length() > 255) {
                throw ApiException.badRequest("Custom property should not be greater than 255 characters.");
            }
            if (ImageAttributes.isReserved(k) || k.equals("locations")) {
                throw ApiException.forbidden("Attribute '" + k + "' is reserved.");
            }
            if (ImageAttributes.hasFourByteChars(k) || e.getValue().isTextual()
                    && ImageAttributes.hasFourByteChars(e.getValue().asText())) {
                throw ApiException.badRequest("Invalid value '" + e.getValue().asText()
                        + "' for a 4-byte UTF-8 character in " + k);
            }
        }
        Image img = new Image();
        img.id = body.hasNonNull("id") ? body.get("id").asText().toLowerCase() : UUID.randomUUID().toString();
        img.name = text(body, "name");
        img.owner = body.has("owner") ? text(body, "owner") : ctx.projectId();
        img.visibility = body.hasNonNull("visibility") ? body.get("visibility").asText() : "shared";
        img.isProtected = body.path("protected").asBoolean(false);
        img.osHidden = body.path("os_hidden").asBoolean(false);
        img.diskFormat = text(body, "disk_format");
        img.containerFormat = text(body, "container_format");
        img.minDisk = body.path("min_disk").asInt(0);
        img.minRam = body.path("min_ram").asInt(0);
        body.path("tags").forEach(t -> img.tags.add(t.asText()));
        it = body.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!ImageAttributes.CORE.contains(e.getKey()) && !e.getValue().isNull()) {
                img.properties.put(e.getKey(), e.getValue().asText());
            }
        }
        if (!ctx.isAdmin() && img.owner != null && !img.owner.equals(ctx.projectId())) {
            throw ApiException.forbidden("You are not permitted to create images owned by '" + img.owner + "'.");
        }
        guard.policy().enforce("add_image", ctx, Map.of("project_id", String.valueOf(img.owner),
                "owner", String.valueOf(img.owner)));
        if (img.visibility.equals("public")) {
            guard.policy().enforce("publicize_image", ctx, Map.of("project_id", String.valueOf(img.owner)));
        } else if (img.visibility.equals("community")) {
            guard.policy().enforce("communitize_image", ctx, Map.of("project_id", String.valueOf(img.owner)));
        }
        for (String k : ImageAttributes.CREATE_READ_ONLY) {
            if (body.has(k)) {
                throw ApiException.forbidden("Attribute '" + k + "' is read-only.");
            }
        }
        if (quotas.imagePropertyQuota() >= 0 && img.properties.size() > quotas.imagePropertyQuota()) {
            throw new ApiException(413, "Attempted to add or update more properties than allowed ("
                    + quotas.imagePropertyQuota() + ").");
        }
        if (quotas.imageTagQuota() >= 0 && img.tags.size() > quotas.imageTagQuota()) {
            throw new ApiException(413, "Attempted to add more tags than allowed (" + quotas.imageTagQuota() + ").");
        }
        img.createdAt = ImageRepository.now();
        img.updatedAt = img.createdAt;
        return img;
    }

    private static String text(JsonNode body, String key) {
        JsonNode v = body.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
