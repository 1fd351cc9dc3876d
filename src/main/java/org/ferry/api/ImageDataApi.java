package org.ferry.api;

import org.ferry.store.LocationUrls;

import org.ferry.data.StagedDigests;
import org.ferry.data.DataMover;
import org.ferry.flow.BaseImageCopies;
import org.ferry.flow.StoreAcls;
import org.ferry.data.Digests;
import org.ferry.http.RequestBodyStream;
import org.ferry.data.SizeLimitException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.ferry.http.ApiException;
import org.ferry.http.ApiRequest;
import org.ferry.api.ImageGuard;
import org.ferry.http.Responses;
import org.ferry.http.Router;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.store.Store;
import org.ferry.store.StoreErrors;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image data path: PUT /file (upload), PUT /stage and GET /file. Bytes stream straight between the socket and
 * the store, hashed in the same pass; memory does not grow with the image size.
 */
public final class ImageDataApi {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDataApi.class);

    private final ApiSettings config;
    private final ImageRepository images;
    private final ImageGuard guard;
    private final StoreRegistry stores;
    private final DataMover mover;
    private final String javaHashName;
    /** Copies an active image's data to further stores, as an internal task (x-openstack-base-image-ref). */
    private final BaseImageCopies copier;
    private final StoreAcls acls;

    public ImageDataApi(ApiSettings config, ImageRepository images, ImageGuard guard, StoreRegistry stores,
                        DataMover mover, BaseImageCopies copier, StoreAcls acls) {
        this.config = config;
        this.images = images;
        this.guard = guard;
        this.stores = stores;
        this.mover = mover;
        this.javaHashName = config.javaHashName();
        this.copier = copier;
        this.acls = acls;
    }

    public void register(Router r) {
        r.add("PUT", "/v2/images/{id}/file", this::upload);
        r.add("GET", "/v2/images/{id}/file", this::download);
        r.add("PUT", "/v2/images/{id}/stage", this::stage);
    }

    private static void requireOctetStream(ApiRequest req) {
        String ct = req.header("Content-Type");
        if (ct == null || !ct.split(";")[0].strip().equalsIgnoreCase("application/octet-stream")) {
            throw new ApiException(415, "The request media type " + ct + " is not supported by this server.");
        }
    }

    /** x-openstack-image-size, else Content-Length, else unknown (chunked). */
    private static Long declaredSize(ApiRequest req) {
        String h = req.header("x-openstack-image-size");
        if (h != null) {
            try {
                long n = Long.parseLong(h.strip());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Invalid or missing image size in request headers.");
            }
        }
        long len = req.exchange().getRequestContentLength();
        return len >= 0 ? len : null;
    }

    void upload(ApiRequest req) throws IOException {
        requireOctetStream(req);
        Long declared = declaredSize(req);
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("upload_image", ctx, img);
        List<Store> targets = uploadTargets(ctx, req.header("X-Image-Meta-Store"), req.header("x-openstack-base-image-ref"));
        if (!ImageStatus.QUEUED.equals(img.status)) {
            throw ApiException.conflict("Image status transition from " + img.status + " to saving is not allowed");
        }
        requireFormats(img);
        if (!targets.get(0).writable()) {
            // glance_store's StoreAddDisabled, which Glance answers with 410 once status and formats have passed
            throw new ApiException(410, "Error in store configuration. Adding images to store is disabled.");
        }
        img.status = ImageStatus.SAVING;
        if (!images.save(img, ImageStatus.QUEUED)) {
            throw ApiException.conflict("Image " + img.id + " is not queued any more: another upload or import started");
        }
        Store primary = targets.get(0);
        Digests digests;
        String url;
        try (StoreWrite write = primary.beginWrite(img.id, declared == null ? -1 : declared, ctx)) {
            try {
                digests = mover.move(new RequestBodyStream(req.exchange().getInputStream()), List.of(write.channel()),
                        javaHashName, config.hashingAlgorithm(), new DataMover.Limits(config.imageSizeCap(), declared),
                        null);
            } catch (SizeLimitException e) {
                backToQueued(img.id, ImageStatus.SAVING);
                throw new ApiException(e.kind() == SizeLimitException.Kind.CAP_EXCEEDED ? 413 : 400, e.getMessage());
            }
            url = write.commit();
        } catch (IOException | RuntimeException e) {
            backToQueued(img.id, ImageStatus.SAVING);
            if (e instanceof ApiException) {
                throw e;
            }
            if (e instanceof RequestBodyStream.Broken) {
                throw ApiException.badRequest(e.getMessage()); // as Glance's upload answers an IOError
            }
            stores.errors().record(primary.id(), StoreErrors.WRITE);
            LOG.warn("upload of image {} to store {} failed: {}", img.id, primary.id(), e.toString());
            throw new ApiException(500, "Error in store: the upload failed, the image stays queued.");
        }
        if (!activate(img.id, primary, url, digests)) {
            primary.delete(url, ctx);
            throw new ApiException(410, "Image " + img.id + " could not be found after upload. "
                    + "The image may have been deleted during the upload.");
        }
        LOG.info("image {}: {} bytes uploaded to store {}", img.id, digests.size(), primary.id());
        acls.update(img.id, ctx);
        if (targets.size() > 1) {
            List<String> others = targets.subList(1, targets.size()).stream().map(Store::id).toList();
            try {
                copier.copy(ctx, img.id, others);
            } catch (RuntimeException e) {
                // the data is safely in the first store: x-openstack-base-image-ref must never fail the upload
                LOG.warn("image {}: copies to {} for its base image could not be started: {}", img.id, others,
                        e.toString());
            }
        }
        Responses.empty(req.exchange(), 204);
    }

    /** Records the new location and the digests, then saving -> active; false when the image went away meanwhile. */
    private boolean activate(String imageId, Store store, String url, Digests d) {
        Optional<Image> current = images.find(imageId);
        if (current.isEmpty() || !ImageStatus.SAVING.equals(current.get().status)) {
            return false;
        }
        Location loc = images.addLocation(imageId, url, Map.of("store", store.id()), store.id(), Location.ACTIVE);
        Image img = current.get();
        img.size = d.size();
        img.checksum = d.md5();
        img.osHashAlgo = d.hashAlgo();
        img.osHashValue = d.hash();
        img.status = ImageStatus.ACTIVE;
        if (!images.save(img, ImageStatus.SAVING)) {
            images.removeLocation(loc.id());
            return false;
        }
        return true;
    }

    private void backToQueued(String imageId, ImageStatus from) {
        images.find(imageId).ifPresent(img -> {
            img.status = ImageStatus.QUEUED;
            img.clearData();
            images.save(img, from);
        });
    }

    private static void requireFormats(Image img) {
        if (img.diskFormat == null || img.containerFormat == null) {
            throw ApiException.badRequest("Properties disk_format, container_format must be set prior to saving data.");
        }
    }

    /**
     * Where an upload goes: X-Image-Meta-Store wins; else, for x-openstack-base-image-ref, every writable store that
     * holds the base image (the default store first if among them); else the default store.
     */
    List<Store> uploadTargets(RequestContext ctx, String storeHeader, String baseImageRef) {
        if (!stores.multistore()) {
            return List.of(stores.defaultStore());
        }
        if (storeHeader != null) {
            Store s = stores.get(storeHeader.strip())
                    .orElseThrow(() -> ApiException.badRequest("Store for identifier " + storeHeader + " not found"));
            return List.of(s);
        }
        if (baseImageRef != null && !baseImageRef.isBlank()) {
            List<String> holding = baseImageStores(ctx, baseImageRef.strip());
            List<Store> targets = new ArrayList<>();
            if (holding.contains(stores.defaultStore().id())) {
                targets.add(stores.defaultStore());
            }
            for (Store s : stores.writable()) {
                if (holding.contains(s.id()) && !targets.contains(s)) {
                    targets.add(s);
                }
            }
            if (!targets.isEmpty()) {
                return targets;
            }
        }
        return List.of(stores.defaultStore());
    }

    private List<String> baseImageStores(RequestContext ctx, String baseId) {
        try {
            return guard.visible(ctx, baseId).storeIds();
        } catch (ApiException e) {
            LOG.info("x-openstack-base-image-ref {} is not a visible image; using the default store", baseId);
            return List.of();
        }
    }

    void stage(ApiRequest req) throws IOException {
        if (!config.enabledImportMethods().contains("glance-direct")) {
            throw ApiException.notFound("'glance-direct' method is not available at this site.");
        }
        requireOctetStream(req);
        Long declared = declaredSize(req);
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        guard.enforce("modify_image", ctx, img);
        if (!ImageStatus.QUEUED.equals(img.status)) {
            throw ApiException.conflict("Image status transition from " + img.status + " to uploading is not allowed");
        }
        img.status = ImageStatus.UPLOADING;
        if (!images.save(img, ImageStatus.QUEUED)) {
            throw ApiException.conflict("Image " + img.id + " is not queued any more: another upload or import started");
        }
        var staging = stores.staging();
        Digests digests;
        try (StoreWrite write = staging.beginExclusiveWrite(img.id)) {
            try {
                digests = mover.move(new RequestBodyStream(req.exchange().getInputStream()), List.of(write.channel()),
                        javaHashName, config.hashingAlgorithm(), new DataMover.Limits(config.imageSizeCap(), declared),
                        null);
            } catch (SizeLimitException e) {
                backToQueued(img.id, ImageStatus.UPLOADING);
                throw new ApiException(e.kind() == SizeLimitException.Kind.CAP_EXCEEDED ? 413 : 400, e.getMessage());
            }
            write.commit();
            StagedDigests.write(staging.pathOf(img.id), digests);
        } catch (FileAlreadyExistsException e) {
            backToQueued(img.id, ImageStatus.UPLOADING);
            throw ApiException.conflict("The image " + img.id + " has data on staging");
        } catch (IOException | RuntimeException e) {
            StagedDigests.delete(staging.pathOf(img.id));
            backToQueued(img.id, ImageStatus.UPLOADING);
            if (e instanceof ApiException) {
                throw e;
            }
            if (e instanceof RequestBodyStream.Broken) {
                throw ApiException.badRequest(e.getMessage());
            }
            stores.errors().record(staging.id(), StoreErrors.WRITE);
            LOG.warn("staging of image {} failed: {}", img.id, e.toString());
            throw new ApiException(500, "Error in staging store: the upload failed, the image stays queued.");
        }
        Optional<Image> current = images.find(img.id);
        if (current.isEmpty() || !ImageStatus.UPLOADING.equals(current.get().status)) {
            StagedDigests.delete(staging.pathOf(img.id));
            throw new ApiException(410, "Image " + img.id + " was deleted while its data was being staged.");
        }
        Image staged = current.get();
        staged.size = digests.size();
        images.save(staged, ImageStatus.UPLOADING);
        Responses.empty(req.exchange(), 204);
    }

    void download(ApiRequest req) throws IOException {
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        if (ImageStatus.DEACTIVATED.equals(img.status) && !ctx.isAdmin()) {
            throw ApiException.forbidden("The requested image has been deactivated. Image data download is forbidden.");
        }
        guard.enforce("download_image", ctx, img);
        List<Location> locations = ordered(req, ctx, img);
        if (locations.isEmpty()) {
            Responses.empty(req.exchange(), 204);
            return;
        }
        IOException last = null;
        for (Location loc : locations) {
            Optional<Store> store = stores.forLocation(loc.storeId(), loc.url());
            if (store.isEmpty()) {
                continue;
            }
            Store.StoreData data;
            try {
                data = store.get().open(loc.url(), req.context());
            } catch (IOException e) {
                stores.errors().record(store.get().id(), StoreErrors.READ);
                LOG.warn("image {}: location {} in store {} unreadable: {}", img.id, LocationUrls.shown(loc.url()), store.get().id(), e.toString());
                last = e;
                continue;
            }
            try (data) {
                send(req, img, data);
            }
            return;
        }
        throw new ApiException(503, "No location of image " + img.id + " could be read"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    private List<Location> ordered(ApiRequest req, RequestContext ctx, Image img) {
        List<Location> active = new ArrayList<>(img.locations.stream().filter(Location::isActive).toList());
        Optional<String> prefer = req.queryFirst("prefer");
        if (prefer.isPresent()) {
            if (!stores.multistore()) {
                throw ApiException.badRequest("The 'prefer' parameter needs multiple stores (enabled_backends).");
            }
            guard.enforce("download_from_store", ctx, img);
            List<String> wanted = List.of(prefer.get().split(","));
            for (String s : wanted) {
                if (stores.get(s.strip()).isEmpty()) {
                    throw ApiException.badRequest("Store for identifier " + s.strip() + " not found");
                }
            }
            active.sort((a, b) -> Integer.compare(rank(wanted, a), rank(wanted, b)));
        }
        return active;
    }

    private static int rank(List<String> wanted, Location l) {
        int i = wanted.indexOf(l.storeId());
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private void send(ApiRequest req, Image img, Store.StoreData data) throws IOException {
        HttpServerExchange ex = req.exchange();
        long size = data.size() >= 0 ? data.size() : img.size == null ? -1 : img.size;
        ByteRange range = size < 0 ? null
                : ByteRange.parse(req.header("Range"), req.header("Content-Range"), size);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        long start = 0;
        long length = size;
        if (range != null) {
            ex.setStatusCode(206);
            start = range.start();
            length = range.length();
            ex.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes " + range.start() + "-" + range.end() + "/" + size);
        } else {
            ex.setStatusCode(200);
            if (img.checksum != null) {
                ex.getResponseHeaders().put(Headers.CONTENT_MD5, img.checksum);
            }
        }
        if (length >= 0) {
            ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
        }
        if (data.channel() != null) {
            StreamSinkChannel sink = ex.getResponseChannel();
            // While the headers are unsent, Undertow's response conduit serves transferFrom by reading a whole buffer
            // from the channel's own position, ignoring position and count (a Range got the file's first bytes, past
            // Content-Length). Sending the headers first makes every transfer a positioned, bounded sendfile.
            Channels.flushBlocking(sink);
            Channels.transferBlocking(sink, data.channel(), start, length);
            sink.shutdownWrites();
            Channels.flushBlocking(sink);
            ex.endExchange();
        } else {
            try (InputStream in = data.stream(); OutputStream out = ex.getOutputStream()) {
                in.skipNBytes(start);
                byte[] buf = new byte[256 * 1024];
                long left = length < 0 ? Long.MAX_VALUE : length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        }
    }
}
