package org.ferry.replication;

import org.ferry.json.Jackson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few Glance v2 calls replication makes, against one region's image API root, each with the session's current
 * token and the run's request id. Any answer other than the expected one becomes a {@link ReplicationFailure} that
 * names the call, the URL and the status.
 */
public final class GlanceClient {
    private static final ObjectMapper JSON = Jackson.MAPPER;
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType PATCH_TYPE = MediaType.get("application/openstack-images-v2.1-json-patch");

    private final OkHttpClient http;
    private final ServiceSession session;
    private final String root;
    private final String region;
    private final String requestId;

    public GlanceClient(OkHttpClient http, ServiceSession session, String root, String region, String requestId) {
        this.http = http;
        this.session = session;
        this.root = root;
        this.region = region;
        this.requestId = requestId;
    }

    public String root() {
        return root;
    }

    public String region() {
        return region;
    }

    /** One page of {@code GET /v2/images}: the images and the {@code next} link (null on the last page). */
    public record Page(List<JsonNode> images, String next) {
    }

    /** The first page for {@code query} (name → values, repeated keys allowed). */
    public Page firstPage(Map<String, List<String>> query) throws ReplicationFailure {
        HttpUrl.Builder b = url("/v2/images").newBuilder();
        query.forEach((k, vs) -> vs.forEach(v -> b.addQueryParameter(k, v)));
        return page(b.build());
    }

    /** The page a {@code next} link names (relative to the API root, as Glance writes it). */
    public Page nextPage(String next) throws ReplicationFailure {
        HttpUrl u = next.startsWith("http://") || next.startsWith("https://") ? HttpUrl.parse(next)
                : HttpUrl.parse(root + (next.startsWith("/") ? next : "/" + next));
        if (u == null) {
            throw new ReplicationFailure(region + ": list of images gave an unusable next link '" + next + "'");
        }
        return page(u);
    }

    private Page page(HttpUrl u) throws ReplicationFailure {
        JsonNode body = expect(new Request.Builder().url(u).get(), 200, "list images");
        List<JsonNode> images = new ArrayList<>();
        body.path("images").forEach(images::add);
        String next = body.hasNonNull("next") ? body.get("next").asText() : null;
        return new Page(images, next);
    }

    /** The image, or empty when the region answers 404. */
    public Optional<GlanceImage> find(String id) throws ReplicationFailure {
        try (Response r = call(new Request.Builder().url(url("/v2/images/" + id)).get())) {
            if (r.code() == 404) {
                return Optional.empty();
            }
            return Optional.of(GlanceImage.of(read(r, 200, "show image " + id)));
        }
    }

    public GlanceImage create(ObjectNode body) throws ReplicationFailure {
        try (Response r = call(new Request.Builder().url(url("/v2/images"))
                .post(RequestBody.create(body.toString(), JSON_TYPE)))) {
            if (r.code() == 409) {
                throw new ReplicationFailure(region + ": an image with id " + body.path("id").asText()
                        + " already exists there but is not visible to the job's user, or was deleted (Glance never "
                        + "reuses a deleted image's id)");
            }
            return GlanceImage.of(read(r, 201, "create image " + body.path("id").asText("")));
        }
    }

    /** {@code POST /v2/images/{id}/import} with glance-download from {@code sourceRegion}. */
    public void importGlanceDownload(String id, String sourceRegion, String sourceId, String iface)
            throws ReplicationFailure {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("method").put("name", "glance-download").put("glance_image_id", sourceId)
                .put("glance_region", sourceRegion).put("glance_service_interface", iface);
        try (Response r = call(new Request.Builder().url(url("/v2/images/" + id + "/import"))
                .post(RequestBody.create(body.toString(), JSON_TYPE)))) {
            read(r, 202, "glance-download import of image " + id + " from " + sourceRegion);
        }
    }

    /** {@code GET /v2/images/{id}/tasks} (Glance ≥ 2.12). */
    public List<JsonNode> tasks(String id) throws ReplicationFailure {
        JsonNode body = expect(new Request.Builder().url(url("/v2/images/" + id + "/tasks")).get(), 200,
                "tasks of image " + id);
        List<JsonNode> out = new ArrayList<>();
        body.path("tasks").forEach(out::add);
        return out;
    }

    public GlanceImage patch(String id, ArrayNode ops) throws ReplicationFailure {
        return GlanceImage.of(expect(new Request.Builder().url(url("/v2/images/" + id))
                .patch(RequestBody.create(ops.toString(), PATCH_TYPE)), 200, "update image " + id));
    }

    public void delete(String id) throws ReplicationFailure {
        try (Response r = call(new Request.Builder().url(url("/v2/images/" + id)).delete())) {
            if (r.code() != 404) {
                read(r, 204, "delete image " + id);
            }
        }
    }

    private HttpUrl url(String path) throws ReplicationFailure {
        HttpUrl u = HttpUrl.parse(root + path);
        if (u == null) {
            throw new ReplicationFailure(region + ": '" + root + "' is not an http(s) URL");
        }
        return u;
    }

    private JsonNode expect(Request.Builder b, int status, String what) throws ReplicationFailure {
        try (Response r = call(b)) {
            return read(r, status, what);
        }
    }

    private Response call(Request.Builder b) throws ReplicationFailure {
        String token = session.token();
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        b.header("X-Openstack-Request-Id", requestId).header("Accept", "application/json");
        Request req = b.build();
        try {
            return http.newCall(req).execute();
        } catch (IOException e) {
            throw new ReplicationFailure(region + ": " + req.method() + " " + req.url() + " failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
    }

    private JsonNode read(Response r, int status, String what) throws ReplicationFailure {
        String text;
        try {
            text = r.body() == null ? "" : r.body().string();
        } catch (IOException e) {
            throw new ReplicationFailure(region + ": " + what + ": reading the answer failed: " + e.getMessage(), e);
        }
        if (r.code() != status) {
            throw new ReplicationFailure(region + ": " + what + ": " + r.request().method() + " "
                    + r.request().url().encodedPath() + " answered " + r.code() + explanation(text));
        }
        if (text.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new ReplicationFailure(region + ": " + what + ": the answer is not JSON: " + abbreviate(text));
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
