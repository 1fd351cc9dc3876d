package org.ferry.api;

import org.ferry.flow.StoreAcls;
import org.ferry.store.LocationUrls;

import org.ferry.catalog.ImageAttributes;
import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageListQuery;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.catalog.LocationRepository;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.ferry.data.StagedDigests;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/** Images: create, show, list, update, delete, deactivate/reactivate and tags. */
public final class ImagesApi {
    private static final Logger LOG = LoggerFactory.getLogger(ImagesApi.class);

    private final ApiSettings config;
    private final ImageRepository images;
    private final ImageGuard guard;
    private final ImageView view;
    private final StoreRegistry stores;
    private final ImageCreate create;
    private final ImagePatch patch;
    private final LocationPatch locations;
    private final StoreAcls acls;
    private final ImageListParams listParams;

    public ImagesApi(ApiSettings config, ImageRepository images, ImageGuard guard, ImageView view, StoreRegistry stores,
                     Schemas schemas, LocationRepository locationRows, StoreAcls acls) {
        this.config = config;
        this.images = images;
        this.guard = guard;
        this.view = view;
        this.stores = stores;
        this.create = new ImageCreate(schemas, guard, config.quotas());
        this.locations = new LocationPatch(config, stores, locationRows, guard, schemas);
        this.patch = new ImagePatch(schemas, guard, config.quotas(), locations);
        this.listParams = new ImageListParams(config, images);
        this.acls = acls;
    }

    public void register(Router r) {
        r.add("POST", "/v2/images", this::create);
        r.add("GET", "/v2/images", this::list);
        r.add("GET", "/v2/images/{id}", this::show);
        r.add("PATCH", "/v2/images/{id}", this::update);
        r.add("DELETE", "/v2/images/{id}", this::delete);
        r.add("POST", "/v2/images/{id}/actions/deactivate", req -> action(req, "deactivate"));
        r.add("POST", "/v2/images/{id}/actions/reactivate", req -> action(req, "reactivate"));
        r.add("PUT", "/v2/images/{id}/tags/{tag}", this::addTag);
        r.add("DELETE", "/v2/images/{id}/tags/{tag}", this::deleteTag);
        r.add("DELETE", "/v2/stores/{store}/{id}", this::deleteFromStore);
    }

    /** DELETE /v2/stores/{store}/{id}: drops one store's copy of an active image that has others. */
    void deleteFromStore(ApiRequest req) {
        RequestContext ctx = req.context();
        if (!stores.multistore()) {
            throw ApiException.notFound("Multi backend is not supported at this site.");
        }
        String storeId = req.path("store");
        Store store = stores.get(storeId).orElseThrow(() -> ApiException.conflict(
                "The selected store " + storeId + " is not available on this node."));
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("get_image_location", ctx, img);
        guard.enforce("delete_image_location", ctx, img);
        if (!ImageStatus.ACTIVE.equals(img.status)) {
            throw ApiException.conflict("It's not allowed to remove image data from store if image status is not "
                    + "'active'");
        }
        List<Location> active = img.locations.stream().filter(Location::isActive).toList();
        if (active.size() == 1) {
            throw ApiException.forbidden("Cannot delete image data from the only store containing it. Consider "
                    + "deleting the image instead.");
        }
        Location loc = active.stream().filter(l -> storeId.equals(l.storeId())).findFirst()
                .orElseThrow(() -> ApiException.notFound("Image " + img.id + " is not present in store " + storeId));
        DataInUse.refuse(stores, store, loc.url(), reason -> "The image cannot be deleted because it is in use "
                + "through the backend store outside of Glance.", "delete image " + img.id + " from it");
        images.removeLocation(loc.id());
        try {
            store.delete(loc.url(), ctx);
        } catch (java.io.IOException e) {
            stores.errors().record(storeId, org.ferry.store.StoreErrors.DELETE);
            LOG.warn("image {}: location removed but its data in store {} could not be deleted: {}", img.id, storeId,
                    e.toString());
        }
        images.find(img.id).ifPresent(i -> images.save(i, null));
        Responses.empty(req.exchange(), 204);
    }

    void create(ApiRequest req) {
        Image img = create.build(req.context(), req.json());
        if (images.exists(img.id)) {
            throw ApiException.conflict("Image with identifier " + img.id + " already exists!");
        }
        try {
            images.create(img);
        } catch (RuntimeException e) {
            if (images.exists(img.id)) {
                throw ApiException.conflict("Image with identifier " + img.id + " already exists!");
            }
            throw e;
        }
        LOG.info("created image {} for project {}", img.id, img.owner);
        var ex = req.exchange();
        req.setHeader("Location", ex.getRequestScheme() + "://" + ex.getHostAndPort() + "/v2/images/" + img.id);
        if (!config.enabledImportMethods().isEmpty()) {
            req.setHeader("OpenStack-image-import-methods", String.join(",", config.enabledImportMethods()));
        }
        if (stores.multistore()) {
            req.setHeader("OpenStack-image-store-ids",
                    stores.all().stream().map(Store::id).collect(Collectors.joining(",")));
        }
        Responses.json(ex, 201, view.render(images.find(img.id).orElseThrow()));
    }

    void show(ApiRequest req) {
        Image img = guard.visible(req.context(), req.path("id"));
        guard.enforce("get_image", req.context(), img);
        Responses.json(req.exchange(), 200, view.render(img));
    }

    void list(ApiRequest req) {
        RequestContext ctx = req.context();
        guard.policy().enforce("get_images", ctx, Map.of("project_id", String.valueOf(ctx.projectId())));
        ImageListQuery q = listParams.parse(req);
        List<Image> page = images.list(q);
        ObjectNode body = Json.object();
        ArrayNode arr = body.putArray("images");
        for (Image img : page) {
            if (guard.allows("get_image", ctx, img)) {
                arr.add(view.render(img));
            }
        }
        String params = linkParams(req);
        body.put("first", "/v2/images" + (params.isEmpty() ? "" : "?" + params));
        body.put("schema", "/v2/schemas/images");
        if (q.limit() > 0 && page.size() == q.limit()) {
            String marker = "marker=" + page.get(page.size() - 1).id;
            body.put("next", "/v2/images?" + (params.isEmpty() ? marker : params + "&" + marker));
        }
        Responses.json(req.exchange(), 200, body);
    }

    /** Every query parameter but the marker, repeated ones kept (Glance collapses them). */
    private static String linkParams(ApiRequest req) {
        StringJoiner j = new StringJoiner("&");
        for (var e : req.query()) {
            if (!e.getKey().equals("marker")) {
                j.add(enc(e.getKey()) + "=" + enc(e.getValue()));
            }
        }
        return j.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    void update(ApiRequest req) {
        String contentType = req.header("Content-Type");
        RequestContext ctx = req.context();
        ImagePatch.draft4(contentType); // Glance checks the media type (415) before it reads the body
        List<ImagePatch.Op> ops = ImagePatch.parse(contentType, Json.parseBody(nonEmpty(req.body())));
        Image img = guard.visible(ctx, req.path("id"));
        if (!ops.isEmpty()) {
            Image changed = patch.apply(ctx, img, ops);
            boolean moved = LocationPatch.changed(img, changed);
            if (moved) {
                locations.refuseRemovingDataInUse(img, changed);
                locations.persist(changed);
            }
            if (!images.save(changed, img.status)) {
                if (moved) {
                    locations.restore(img);
                }
                throw ApiException.conflict("Image " + img.id + " changed while it was being updated; try again.");
            }
            if (moved) {
                locations.deleteRemovedData(img, changed, ctx);
            }
            acls.update(img.id, ctx); // as Glance after every save: visibility or locations may have changed
            img = images.find(img.id).orElseThrow(() -> ApiException.imageNotFound(req.path("id")));
        }
        Responses.json(req.exchange(), 200, view.render(img));
    }

    private static byte[] nonEmpty(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("Body expected in request.");
        }
        return body;
    }

    void delete(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("delete_image", ctx, img);
        // protection is checked before anything is removed, so a refused delete loses nothing (Glance GAP 22)
        if (img.isProtected) {
            throw ApiException.forbidden("Image " + img.id + " is protected and cannot be deleted.");
        }
        // data that something outside Ferry still uses (a volume cloned from an rbd snapshot) keeps the whole image
        for (Location l : img.locations) {
            Optional<Store> s = stores.forLocation(l.storeId(), l.url());
            if (s.isPresent()) {
                DataInUse.refuse(stores, s.get(), l.url(), reason -> "Image " + img.id + " could not be deleted "
                        + "because it is in use: " + reason, "delete image " + img.id);
            }
        }
        if (!images.softDelete(img.id)) {
            throw ApiException.imageNotFound(img.id);
        }
        try {
            StagedDigests.delete(stores.staging().pathOf(img.id));
        } catch (java.io.IOException e) {
            LOG.warn("image {}: could not remove its staged data: {}", img.id, e.toString());
        }
        for (Location l : img.locations) {
            stores.forLocation(l.storeId(), l.url()).ifPresent(s -> {
                try {
                    s.delete(l.url(), ctx);
                } catch (java.io.IOException e) {
                    stores.errors().record(s.id(), org.ferry.store.StoreErrors.DELETE);
                    LOG.warn("image {}: could not delete {} from store {}: {}", img.id, LocationUrls.shown(l.url()), s.id(), e.toString());
                }
            });
        }
        LOG.info("deleted image {}", img.id);
        Responses.empty(req.exchange(), 204);
    }

    void action(ApiRequest req, String action) {
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce(action, ctx, img);
        ImageStatus target = action.equals("deactivate") ? ImageStatus.DEACTIVATED : ImageStatus.ACTIVE;
        if (!img.status.equals(ImageStatus.ACTIVE) && !img.status.equals(ImageStatus.DEACTIVATED)) {
            throw ApiException.forbidden("Not allowed to " + action + " image in status '" + img.status + "'");
        }
        if (!img.status.equals(target)) {
            ImageStatus from = img.status;
            img.status = target;
            if (!images.save(img, from)) {
                throw ApiException.conflict("Image " + img.id + " changed status while it was being " + action + "d.");
            }
        }
        Responses.empty(req.exchange(), 204);
    }

    void addTag(ApiRequest req) {
        RequestContext ctx = req.context();
        String tag = req.path("tag");
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("modify_image", ctx, img);
        if (tag.length() > 255) {
            throw ApiException.badRequest("Provided object does not match schema 'image': '" + tag + "' is too long");
        }
        if (ImageAttributes.hasFourByteChars(tag)) {
            throw ApiException.badRequest("Invalid 4-byte UTF-8 character in tag");
        }
        if (img.tags.add(tag)) {
            if (config.quotas().imageTagQuota() >= 0 && img.tags.size() > config.quotas().imageTagQuota()) {
                throw new ApiException(413, "Attempted to add more tags than allowed ("
                        + config.quotas().imageTagQuota() + ").");
            }
            images.save(img, null);
        }
        Responses.empty(req.exchange(), 204);
    }

    void deleteTag(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("modify_image", ctx, img);
        if (!img.tags.remove(req.path("tag"))) {
            throw ApiException.notFound("Tag " + req.path("tag") + " not found");
        }
        images.save(img, null);
        Responses.empty(req.exchange(), 204);
    }
}
