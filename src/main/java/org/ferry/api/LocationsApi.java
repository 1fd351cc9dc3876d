package org.ferry.api;

import org.ferry.store.LocationUrls;

import org.ferry.catalog.Refused;
import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.ferry.auth.PolicyDeniedException;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.flow.LocationImports;
import org.ferry.store.LocationResolver;
import org.ferry.store.StoreRegistry;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The New Location API (Glance 2.17, {@code images.py add_location/get_locations}): a service (Cinder) registers the
 * URL where a queued image's data already lives, and reads an image's locations back, without the location fields
 * of the image view (show_multiple_locations) being exposed to every user.
 */
public final class LocationsApi {
    private static final List<String> ALGORITHMS = List.of("sha1", "sha256", "sha512", "md5");

    private final ImageGuard guard;
    private final StoreRegistry stores;
    private final LocationResolver resolver;
    private final LocationImports imports;
    private final String hashingAlgorithm;

    public LocationsApi(ImageGuard guard, StoreRegistry stores, LocationImports imports, String hashingAlgorithm) {
        this.guard = guard;
        this.stores = stores;
        this.resolver = new LocationResolver(stores);
        this.imports = imports;
        this.hashingAlgorithm = hashingAlgorithm;
    }

    public void register(Router r) {
        r.add("POST", "/v2/images/{id}/locations", this::add);
        r.add("GET", "/v2/images/{id}/locations", this::list);
    }

    /** POST: 202 and a location_import task; Glance's checks in Glance's order. */
    void add(ApiRequest req) throws Refused {
        RequestContext ctx = req.context();
        JsonNode body = req.json();
        validateBody(body);
        String url = body.get("url").asText();
        JsonNode vd = body.path("validation_data");
        String algo = vd.hasNonNull("os_hash_algo") ? vd.get("os_hash_algo").asText() : null;
        String value = vd.hasNonNull("os_hash_value") ? vd.get("os_hash_value").asText() : null;

        Image img = guard.visible(ctx, req.path("id"));
        if (guard.allows("add_image_location", ctx, img) && imports.takeOverStaleLock(img)) {
            img = guard.visible(ctx, img.id);
        }
        if (!ImageStatus.QUEUED.equals(img.status)) {
            throw ApiException.conflict("It's not allowed to add locations if image status is " + img.status + ".");
        }
        enforce("add_image_location", ctx, img);
        if (!ctx.isService() && !httpStoreServes(url)) {
            throw ApiException.forbidden("http store must be enabled to use location API by normal user.");
        }
        if (value != null) {
            byte[] hash = LocationPatch.hex(value);
            if (hash == null) {
                throw ApiException.badRequest("os_hash_value (" + value + ") is not a valid hexadecimal value");
            }
            String hashAlgo = algo == null ? hashingAlgorithm : algo;
            int want = LocationPatch.digestLength(hashAlgo);
            if (hash.length != want) {
                throw ApiException.badRequest("os_hash_value: (" + value + ") is not the correct size for ("
                        + hashAlgo + ") (should be (" + want + ") bytes)");
            }
        }
        try {
            resolver.requireServedNow(url);
        } catch (LocationResolver.InvalidLocation e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (imports.locked(img)) {
            throw ApiException.conflict("Image has active task");
        }
        try {
            imports.start(ctx, img, url, algo, value);
        } catch (Refused e) {
            throw new ApiException(e.status(), e.getMessage());
        }
        Responses.empty(req.exchange(), 202);
    }

    /** GET: a top-level JSON array of {url, metadata}, for service (and admin) callers only. */
    void list(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = guard.visible(ctx, req.path("id"));
        enforce("fetch_image_location", ctx, img);
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (Location l : img.locations) {
            if (l.isActive()) {
                arr.addObject().put("url", LocationUrls.shown(l.url())).set("metadata", Json.MAPPER.valueToTree(l.metadata()));
            }
        }
        Responses.json(req.exchange(), 200, arr);
    }

    /** Glance's {@code utils.is_http_store_configured}: an http(s) URL and an http store to serve it. */
    private boolean httpStoreServes(String url) {
        String scheme = LocationResolver.scheme(url);
        return (scheme.equals("http") || scheme.equals("https"))
                && stores.all().stream().anyMatch(s -> s.type().equals("http"));
    }

    /**
     * Glance's ImageAPIPolicy: a denied rule is 403, or 404 when the caller may not even get the image (a service
     * token without reader passes on the rule alone).
     */
    private void enforce(String rule, RequestContext ctx, Image img) {
        try {
            guard.enforce(rule, ctx, img);
        } catch (PolicyDeniedException e) {
            if (!guard.allows("get_image", ctx, img)) {
                throw ApiException.imageNotFound(img.id);
            }
            throw ApiException.forbidden(e.getMessage());
        }
    }

    /** The add_location schema: url required (string); validation_data algo and value, together, nothing else. */
    private static void validateBody(JsonNode body) {
        if (!body.isObject()) {
            throw invalid(Schemas.describe(body) + " is not of type 'object'");
        }
        JsonNode url = body.get("url");
        if (url == null) {
            throw invalid("'url' is a required property");
        }
        if (!url.isTextual()) {
            throw invalid(Schemas.describe(url) + " is not of type 'string'");
        }
        if (!body.has("validation_data")) {
            return;
        }
        JsonNode vd = body.get("validation_data");
        if (!vd.isObject()) {
            throw invalid(Schemas.describe(vd) + " is not of type 'object'");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vd.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("os_hash_algo") && !e.getKey().equals("os_hash_value")) {
                throw invalid("Additional properties are not allowed ('" + e.getKey() + "' was unexpected)");
            }
            if (!e.getValue().isTextual()) {
                throw invalid(Schemas.describe(e.getValue()) + " is not of type 'string'");
            }
        }
        if (vd.has("os_hash_algo")) {
            String algo = vd.get("os_hash_algo").asText();
            if (algo.length() > 64) {
                throw invalid("'" + algo + "' is too long");
            }
            if (!ALGORITHMS.contains(algo)) {
                throw invalid("'" + algo + "' is not one of ['sha1', 'sha256', 'sha512', 'md5']");
            }
        }
        if (vd.has("os_hash_value") && vd.get("os_hash_value").asText().length() > 128) {
            throw invalid("'" + vd.get("os_hash_value").asText() + "' is too long");
        }
        if (vd.has("os_hash_value") && !vd.has("os_hash_algo")) {
            throw invalid("'os_hash_algo' is a dependency of 'os_hash_value'");
        }
        if (vd.has("os_hash_algo") && !vd.has("os_hash_value")) {
            throw invalid("'os_hash_value' is a dependency of 'os_hash_algo'");
        }
    }

    private static ApiException invalid(String detail) {
        return ApiException.badRequest(Schemas.notMatching("location", detail));
    }
}
