package org.ferry.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ferry.json.Jackson;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.auth.RequestContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Glance v2 API of one region (its API root, no /v2), as one identity: the one client for every call Ferry makes
 * to a Glance, the import flow's glance-download and replication alike.
 *
 * <p>Who it speaks for decides how requests go out and which answers are refusals:
 * <ul>
 * <li>{@link #forCaller}: an import acting with the caller's token. Requests go through {@link SafeHttp}, so every
 * URL and redirect passes [import_filtering_opts] and the token reaches only its origin; it only reads (show,
 * data), and any answer but 2xx is refused with the import's wording ({@code <what>: <url> answered <code>}).</li>
 * <li>{@link #forService}: a service identity (replication) with a token asked for before each request and a
 * request id for the region's logs. Every answer comes back, and one other than the call's expected status is
 * refused as {@code <region>: <call>: <method> <path> answered <code>: <Glance's explanation>}.</li>
 * </ul>
 * Failures are {@link RemoteFailure}s: their message is what a task or run record shows.
 */
public final class GlanceClient {
    private static final ObjectMapper JSON = Jackson.MAPPER;
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType PATCH_TYPE = MediaType.get("application/openstack-images-v2.1-json-patch");

    private final Transport transport;
    private final String root;
    private final String region;

    /** Where a service client's token comes from; asked before every request, so a renewed token is used. */
    @FunctionalInterface
    public interface TokenSource {
        /** The X-Auth-Token to send now, or null (a region without Keystone). */
        String token() throws IOException;
    }

    /** How a request reaches the region. */
    private interface Transport {
        /**
         * @param offset a Range start for a resumed download, or 0
         * @return the answer; the caller closes it
         */
        Response send(String method, String url, RequestBody body, long offset, String what) throws IOException;
    }

    private GlanceClient(Transport transport, String root, String region) {
        this.transport = transport;
        this.root = root;
        this.region = region;
    }

    /** An import's client: the caller's token, filtered and origin-bound through {@code http}; read-only. */
    public static GlanceClient forCaller(SafeHttp http, String root, String region, String token) {
        return new GlanceClient((method, url, body, offset, what) -> {
            if (!"GET".equals(method)) {
                throw new IllegalStateException("an import only reads from the remote Glance, it does not " + method);
            }
            return http.get(url, true, token, offset, what);
        }, root, region);
    }

    /** An import's client for the region's image endpoint in the caller's catalog (see {@link ImageEndpoints}). */
    public static GlanceClient forCaller(SafeHttp http, RequestContext caller, String region, String iface)
            throws RemoteFailure {
        return forCaller(http, ImageEndpoints.resolve(caller.serviceCatalog(), region, iface), region,
                caller.authToken());
    }

    /** A service's client: the token of {@code tokens} and {@code requestId} on every request. */
    public static GlanceClient forService(OkHttpClient http, TokenSource tokens, String root, String region,
                                          String requestId) {
        return new GlanceClient((method, url, body, offset, what) -> {
            HttpUrl u = HttpUrl.parse(url);
            if (u == null) {
                throw new RemoteFailure(region + ": '" + root + "' is not an http(s) URL");
            }
            Request.Builder b = new Request.Builder().url(u).method(method, body);
            String token = tokens.token();
            if (token != null) {
                b.header("X-Auth-Token", token);
            }
            if (offset > 0) {
                b.header("Range", "bytes=" + offset + "-");
            }
            b.header("X-Openstack-Request-Id", requestId).header("Accept", "application/json");
            Request req = b.build();
            try {
                return http.newCall(req).execute();
            } catch (IOException e) {
                throw new RemoteFailure(region + ": " + req.method() + " " + req.url() + " failed: "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                        e);
            }
        }, root, region);
    }

    public String root() {
        return root;
    }

    public String region() {
        return region;
    }

    /**
     * The image, which must be there ({@code GET /v2/images/{id}}); an answer that is not a JSON object is refused
     * as {@code remote image <id>: <url> did not answer with an image in JSON}.
     */
    public GlanceImage image(String id) throws IOException {
        String url = root + "/v2/images/" + id;
        String what = "remote image " + id;
        JsonNode body;
        try (Response r = transport.send("GET", url, null, 0, what)) {
            if (!r.isSuccessful()) {
                throw refusal(r, "show image " + id);
            }
            body = JSON.readTree(r.body().byteStream());
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new RemoteFailure(what + ": " + url + " did not answer with an image in JSON");
        }
        return GlanceImage.of(body);
    }

    /**
     * The image's data ({@code GET /v2/images/{id}/file}) as a stream that resumes a broken connection with a
     * ranged GET, at most {@code maxResumes} times.
     */
    public ResumingStream data(String id, int maxResumes) throws IOException {
        String url = root + "/v2/images/" + id + "/file";
        String what = "data of remote image " + id;
        Response first = transport.send("GET", url, null, 0, what);
        if (!first.isSuccessful()) {
            try (first) {
                throw refusal(first, "data of image " + id);
            }
        }
        return new ResumingStream(url, what, first, offset -> transport.send("GET", url, null, offset, what),
                maxResumes);
    }

    /** One page of {@code GET /v2/images}: the images and the {@code next} link (null on the last page). */
    public record Page(List<JsonNode> images, String next) {
    }

    /** The first page for {@code query} (name → values, repeated keys allowed). */
    public Page firstPage(Map<String, List<String>> query) throws RemoteFailure {
        HttpUrl.Builder b = url("/v2/images").newBuilder();
        query.forEach((k, vs) -> vs.forEach(v -> b.addQueryParameter(k, v)));
        return page(b.build());
    }

    /** The page a {@code next} link names (relative to the API root, as Glance writes it). */
    public Page nextPage(String next) throws RemoteFailure {
        HttpUrl u = next.startsWith("http://") || next.startsWith("https://") ? HttpUrl.parse(next)
                : HttpUrl.parse(root + (next.startsWith("/") ? next : "/" + next));
        if (u == null) {
            throw new RemoteFailure(region + ": list of images gave an unusable next link '" + next + "'");
        }
        return page(u);
    }

    private Page page(HttpUrl u) throws RemoteFailure {
        JsonNode body = expect("GET", u, null, 200, "list images");
        List<JsonNode> images = new ArrayList<>();
        body.path("images").forEach(images::add);
        String next = body.hasNonNull("next") ? body.get("next").asText() : null;
        return new Page(images, next);
    }

    /** The image, or empty when the region answers 404. */
    public Optional<GlanceImage> find(String id) throws RemoteFailure {
        try (Response r = call("GET", url("/v2/images/" + id), null, "show image " + id)) {
            if (r.code() == 404) {
                return Optional.empty();
            }
            return Optional.of(GlanceImage.of(read(r, 200, "show image " + id)));
        }
    }

    public GlanceImage create(ObjectNode body) throws RemoteFailure {
        String what = "create image " + body.path("id").asText("");
        try (Response r = call("POST", url("/v2/images"), RequestBody.create(body.toString(), JSON_TYPE), what)) {
            if (r.code() == 409) {
                throw new RemoteFailure(region + ": an image with id " + body.path("id").asText()
                        + " already exists there but is not visible to the job's user, or was deleted (Glance never "
                        + "reuses a deleted image's id)");
            }
            return GlanceImage.of(read(r, 201, what));
        }
    }

    /** {@code POST /v2/images/{id}/import} with glance-download from {@code sourceRegion}. */
    public void importGlanceDownload(String id, String sourceRegion, String sourceId, String iface)
            throws RemoteFailure {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("method").put("name", "glance-download").put("glance_image_id", sourceId)
                .put("glance_region", sourceRegion).put("glance_service_interface", iface);
        String what = "glance-download import of image " + id + " from " + sourceRegion;
        try (Response r = call("POST", url("/v2/images/" + id + "/import"),
                RequestBody.create(body.toString(), JSON_TYPE), what)) {
            read(r, 202, what);
        }
    }

    /** {@code GET /v2/images/{id}/tasks} (Glance ≥ 2.12). */
    public List<JsonNode> tasks(String id) throws RemoteFailure {
        JsonNode body = expect("GET", url("/v2/images/" + id + "/tasks"), null, 200, "tasks of image " + id);
        List<JsonNode> out = new ArrayList<>();
        body.path("tasks").forEach(out::add);
        return out;
    }

    public GlanceImage patch(String id, ArrayNode ops) throws RemoteFailure {
        return GlanceImage.of(expect("PATCH", url("/v2/images/" + id), RequestBody.create(ops.toString(), PATCH_TYPE),
                200, "update image " + id));
    }

    public void delete(String id) throws RemoteFailure {
        // an empty body, as OkHttp's delete() sends (Content-Length: 0)
        RequestBody none = RequestBody.create(new byte[0]);
        try (Response r = call("DELETE", url("/v2/images/" + id), none, "delete image " + id)) {
            if (r.code() != 404) {
                read(r, 204, "delete image " + id);
            }
        }
    }

    private HttpUrl url(String path) throws RemoteFailure {
        HttpUrl u = HttpUrl.parse(root + path);
        if (u == null) {
            throw new RemoteFailure(region + ": '" + root + "' is not an http(s) URL");
        }
        return u;
    }

    private JsonNode expect(String method, HttpUrl url, RequestBody body, int status, String what)
            throws RemoteFailure {
        try (Response r = call(method, url, body, what)) {
            return read(r, status, what);
        }
    }

    private Response call(String method, HttpUrl url, RequestBody body, String what) throws RemoteFailure {
        try {
            return transport.send(method, url.toString(), body, 0, what);
        } catch (RemoteFailure e) {
            throw e;
        } catch (IOException e) {
            // a token source's own failure (a Keystone login, for example): its message as it is
            throw new RemoteFailure(e.getMessage(), e);
        }
    }

    /** The answer's JSON when its status is the expected one, else its refusal. */
    private JsonNode read(Response r, int status, String what) throws RemoteFailure {
        String text = text(r, what);
        if (r.code() != status) {
            throw refusal(r, what, text);
        }
        if (text.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new RemoteFailure(region + ": " + what + ": the answer is not JSON: " + abbreviate(text));
        }
    }

    private RemoteFailure refusal(Response r, String what) throws RemoteFailure {
        return refusal(r, what, text(r, what));
    }

    private RemoteFailure refusal(Response r, String what, String text) {
        return new RemoteFailure(region + ": " + what + ": " + r.request().method() + " "
                + r.request().url().encodedPath() + " answered " + r.code() + explanation(text));
    }

    private String text(Response r, String what) throws RemoteFailure {
        try {
            return r.body() == null ? "" : r.body().string();
        } catch (IOException e) {
            throw new RemoteFailure(region + ": " + what + ": reading the answer failed: " + e.getMessage(), e);
        }
    }

    /** Glance's error explanation (JSON or HTML page), short. */
    private static String explanation(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n.hasNonNull("message")) {
                text = n.get("message").asText();
            } else if (n.path("error").hasNonNull("message")) {
                text = n.path("error").get("message").asText();
            }
        } catch (IOException notJson) {
            // an HTML error page: its text
        }
        text = text.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip();
        return text.isBlank() ? "" : ": " + abbreviate(text);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
