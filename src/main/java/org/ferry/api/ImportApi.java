package org.ferry.api;

import org.ferry.catalog.Refused;
import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.PolicyDeniedException;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.flow.ImportMethod;
import org.ferry.flow.ImportService;
import org.ferry.remote.UriFilter;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** POST /v2/images/{id}/import: Glance's checks in Glance's order, then the import starts and 202 is answered. */
public final class ImportApi {
    private static final Pattern UUID_FORM = Pattern.compile(
            "^(urn:uuid:)?\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}}?$");

    private final ApiSettings config;
    private final ImageGuard guard;
    private final StoreRegistry stores;
    private final ImportService imports;
    private final UriFilter filter;

    public ImportApi(ApiSettings config, ImageGuard guard, StoreRegistry stores, ImportService imports, UriFilter filter) {
        this.config = config;
        this.guard = guard;
        this.stores = stores;
        this.imports = imports;
        this.filter = filter;
    }

    public void register(Router r) {
        r.add("POST", "/v2/images/{id}/import", this::importImage);
    }

    void importImage(ApiRequest req) throws Refused {
        RequestContext ctx = req.context();
        JsonNode body = req.json();
        if (!body.isObject()) {
            throw ApiException.badRequest("Malformed JSON in request body.");
        }
        ObjectNode importReq = ((ObjectNode) body).deepCopy();
        JsonNode method = importReq.get("method");
        if (method == null || !method.isObject()) {
            throw ApiException.badRequest("Import request requires a 'method' field.");
        }
        JsonNode nameNode = method.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw ApiException.badRequest("Import request requires a 'name' field.");
        }
        String name = nameNode.asText();
        if (!config.enabledImportMethods().contains(name)) {
            throw ApiException.badRequest("Unknown import method name '" + name + "'.");
        }
        ImportMethod kind = ImportMethod.find(name).filter(m -> m != ImportMethod.LOCATION_IMPORT)
                .orElseThrow(() -> ApiException.badRequest("Unknown import method name '" + name + "'."));
        for (String flag : List.of("all_stores_must_succeed", "all_stores")) {
            if (importReq.has(flag) && !importReq.get(flag).isBoolean()) {
                throw ApiException.badRequest("'" + flag + "' must be boolean value only");
            }
        }
        if (ctx.readOnly()) {
            throw ApiException.forbidden("Read-only access");
        }
        Image img = guard.visible(ctx, req.path("id"));
        String rule = kind == ImportMethod.COPY_IMAGE ? "copy_image" : "modify_image";
        try {
            if (guard.allows(rule, ctx, img) && imports.takeOverStaleLock(img)) {
                img = guard.visible(ctx, img.id);
            }
        } catch (Refused e) {
            throw new ApiException(e.status(), e.getMessage());
        }
        checkStatus(img, kind);
        if (img.containerFormat == null) {
            throw ApiException.conflict("'container_format' needs to be set before import");
        }
        if (img.diskFormat == null) {
            throw ApiException.conflict("'disk_format' needs to be set before import");
        }
        if (kind == ImportMethod.GLANCE_DOWNLOAD) {
            if (!method.has("glance_region")) {
                throw ApiException.badRequest("'glance_region' needs to be set for glance-download import method");
            }
            if (!method.has("glance_image_id")) {
                throw ApiException.badRequest("'glance_image_id' needs to be set for glance-download import method");
            }
            String remoteId = method.get("glance_image_id").asText();
            if (!UUID_FORM.matcher(remoteId).matches()) {
                throw ApiException.badRequest("Remote image id does not look like a UUID: " + remoteId);
            }
            if (!method.hasNonNull("glance_service_interface")) {
                ((ObjectNode) method).put("glance_service_interface", "public");
            }
        }
        try {
            guard.enforce(rule, ctx, img);
        } catch (PolicyDeniedException e) {
            throw ApiException.forbidden(e.getMessage());
        }
        if (imports.liveLock(img).isPresent()) {
            throw ApiException.conflict("Image has active task");
        }
        List<String> targets = targets(req, importReq, img, kind);
        if (targets.isEmpty() && kind == ImportMethod.COPY_IMAGE) {
            // copy-image to all stores of an image that is already everywhere: nothing to do, as Glance
            Responses.empty(req.exchange(), 202);
            return;
        }
        if (kind == ImportMethod.WEB_DOWNLOAD) {
            String uri = method.hasNonNull("uri") ? method.get("uri").asText() : null;
            Optional<String> refused = uri == null ? Optional.of("no uri given") : filter.checkWithoutResolving(uri);
            if (refused.isPresent()) {
                throw ApiException.badRequest("URI for web-download does not pass filtering: " + uri);
            }
        }
        try {
            imports.start(ctx, img, importReq, targets, stores.multistore());
        } catch (Refused e) {
            throw new ApiException(e.status(), e.getMessage());
        }
        Responses.empty(req.exchange(), 202);
    }

    private static void checkStatus(Image img, ImportMethod kind) {
        if (ImageStatus.ACTIVE.equals(img.status) && kind != ImportMethod.COPY_IMAGE) {
            throw ApiException.conflict("Image with status active cannot be target for import");
        }
        if (kind == ImportMethod.COPY_IMAGE && !ImageStatus.ACTIVE.equals(img.status)) {
            throw ApiException.conflict("Only images with status active can be targeted for copying");
        }
        if ((kind == ImportMethod.WEB_DOWNLOAD || kind == ImportMethod.GLANCE_DOWNLOAD)
                && !ImageStatus.QUEUED.equals(img.status)) {
            throw ApiException.conflict("Image needs to be in 'queued' state to use '" + kind.wireName() + "' method");
        }
        if (kind == ImportMethod.GLANCE_DIRECT && !ImageStatus.UPLOADING.equals(img.status)) {
            throw ApiException.conflict("Image needs to be staged before 'glance-direct' method can be used");
        }
    }

    /** Target stores: X-Image-Meta-Store, "stores", "all_stores" or the default; single-store ignores them all. */
    private List<String> targets(ApiRequest req, ObjectNode importReq, Image img, ImportMethod kind) {
        boolean mustSucceedGiven = importReq.has("all_stores_must_succeed");
        if (!stores.multistore()) {
            if (mustSucceedGiven && !importReq.get("all_stores_must_succeed").asBoolean()) {
                throw ApiException.badRequest("All_stores_must_succeed can only be set with enabled_backends option set.");
            }
            return List.of(stores.defaultStore().id());
        }
        String header = req.header("X-Image-Meta-Store");
        JsonNode listed = importReq.get("stores");
        boolean allStores = importReq.path("all_stores").asBoolean(false);
        boolean hasList = listed != null && !listed.isNull();
        if (allStores && (hasList || header != null)) {
            throw ApiException.badRequest(
                    "All_stores parameter can't be used with x-image-meta-store header or stores parameter");
        }
        if (hasList && header != null) {
            throw ApiException.badRequest("Stores parameter and x-image-meta-store header can't be both specified");
        }
        List<String> wanted = new ArrayList<>();
        if (allStores) {
            stores.writable().forEach(s -> wanted.add(s.id()));
        } else if (hasList) {
            if (!listed.isArray()) {
                throw ApiException.badRequest("'stores' must be a list of store identifiers");
            }
            listed.forEach(n -> wanted.add(n.asText()));
        } else if (header != null) {
            wanted.add(header.strip());
        } else {
            wanted.add(stores.defaultStore().id());
        }
        for (String id : wanted) {
            Optional<Store> s = stores.get(id);
            if (s.isEmpty() || !s.get().writable()) {
                throw ApiException.conflict("Store for identifier " + id + " not found");
            }
        }
        List<String> distinct = wanted.stream().distinct().toList();
        if (kind == ImportMethod.COPY_IMAGE) {
            List<String> held = img.storeIds();
            if (allStores) {
                return distinct.stream().filter(id -> !held.contains(id)).toList();
            }
            for (String id : distinct) {
                if (held.contains(id)) {
                    throw ApiException.badRequest("Image is already present at store '" + id + "'");
                }
            }
        }
        if (hasList) {
            ArrayNode normalised = importReq.putArray("stores");
            distinct.forEach(normalised::add);
        }
        return distinct;
    }
}
