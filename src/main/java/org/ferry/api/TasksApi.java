package org.ferry.api;

import org.ferry.catalog.Refused;
import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.Policy;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskListQuery;
import org.ferry.catalog.TaskRepository;
import org.ferry.flow.ImportService;
import org.ferry.remote.UriFilter;
import org.ferry.store.LocationUrls;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * GET /v2/images/{id}/tasks (Glance's raw DB shape) and Glance's deprecated tasks API, all of it behind
 * {@code tasks_api_access} (admin by default): GET /v2/tasks (stubs), GET /v2/tasks/{id}, POST /v2/tasks (the
 * legacy {@code import} type, run as a web-download import of a new image) and DELETE (405).
 */
public final class TasksApi {
    private static final Logger LOG = LoggerFactory.getLogger(TasksApi.class);
    private static final DateTimeFormatter RAW_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final String ACCESS = "tasks_api_access";

    private final TaskRepository tasks;
    private final ImageGuard guard;
    private final Policy policy;
    private final TaskListParams listParams;
    private final LegacyImportTask legacyImport;

    public TasksApi(TaskRepository tasks, ImageGuard guard, Policy policy, ApiSettings config, Schemas schemas,
                    StoreRegistry stores, ImportService imports, UriFilter filter) {
        this.tasks = tasks;
        this.guard = guard;
        this.policy = policy;
        this.listParams = new TaskListParams(config, tasks);
        this.legacyImport = new LegacyImportTask(new ImageCreate(schemas, guard,
                config.quotas()), schemas, stores, imports, filter);
    }

    public void register(Router r) {
        r.add("GET", "/v2/images/{id}/tasks", this::imageTasks);
        r.add("GET", "/v2/tasks/{id}", this::show);
        r.add("DELETE", "/v2/tasks/{id}", this::delete);
        r.add("GET", "/v2/tasks", this::list);
        r.add("POST", "/v2/tasks", this::create);
    }

    void imageTasks(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img;
        try {
            img = guard.visible(ctx, req.path("id"));
            guard.enforce("get_image", ctx, img);
        } catch (ApiException | org.ferry.auth.PolicyDeniedException e) {
            throw ApiException.notFound("");
        }
        ObjectNode body = Json.object();
        ArrayNode arr = body.putArray("tasks");
        for (Task t : tasks.forImage(img.id, Instant.now())) {
            if (ctx.isAdmin() || ctx.projectId() != null && ctx.projectId().equals(t.owner())) {
                arr.add(raw(t));
            }
        }
        Responses.json(req.exchange(), 200, body);
    }

    /** Glance checks the blanket tasks policy before it reads anything of the request. */
    private void enforceAccess(RequestContext ctx) {
        if (!policy.allows(ACCESS, ctx, Map.of())) {
            throw ApiException.forbidden("You are not authorized to complete " + ACCESS + " action.");
        }
    }

    /** Glance's DB visibility of a task: admin, a task without owner, or the caller's project's task. */
    static boolean visible(RequestContext ctx, Task t) {
        return ctx.isAdmin() || t.owner() == null || t.owner().equals(ctx.projectId());
    }

    void list(ApiRequest req) {
        enforceAccess(req.context());
        TaskListQuery q = listParams.parse(req, Instant.now());
        List<Task> page = tasks.list(q);
        ObjectNode body = Json.object();
        ArrayNode arr = body.putArray("tasks");
        page.forEach(t -> arr.add(stub(t)));
        Map<String, String> params = TaskListParams.linkParams(req.query());
        body.put("first", params.isEmpty() ? "/v2/tasks" : "/v2/tasks?" + encode(params));
        body.put("schema", "/v2/schemas/tasks");
        if (!page.isEmpty() && page.size() == q.limit()) {
            params.put("marker", page.get(page.size() - 1).id());
            body.put("next", "/v2/tasks?" + encode(params));
        }
        Responses.json(req.exchange(), 200, body);
    }

    void show(ApiRequest req) {
        RequestContext ctx = req.context();
        enforceAccess(ctx);
        String id = req.path("id");
        Task t = tasks.find(id).orElseThrow(() -> ApiException.notFound("Task with the given id " + id
                + " was not found"));
        if (!visible(ctx, t)) {
            throw ApiException.forbidden("Forbidding request, task " + id + " is not visible");
        }
        Responses.json(req.exchange(), 200, full(t));
    }

    void create(ApiRequest req) throws Refused {
        RequestContext ctx = req.context();
        enforceAccess(ctx);
        Task t = legacyImport.start(ctx, req.json());
        var ex = req.exchange();
        req.setHeader("Location", ex.getRequestScheme() + "://" + ex.getHostAndPort() + "/v2/tasks/" + t.id());
        LOG.info("task {}: created by project {}", t.id(), ctx.projectId());
        Responses.json(ex, 201, full(t));
    }

    void delete(ApiRequest req) {
        enforceAccess(req.context());
        throw new ApiException(405, "This operation is currently not permitted on Glance Tasks. They are auto "
                + "deleted after reaching the time based on their expires_at property.").header("Allow", "GET");
    }

    /** The list entry: no input, result or message (Glance's partial task schema). */
    static ObjectNode stub(Task t) {
        ObjectNode o = Json.object();
        o.put("id", t.id());
        o.put("type", t.type());
        o.put("status", t.status());
        o.put("owner", t.owner());
        if (t.expiresAt() != null) {
            o.put("expires_at", ImageView.isoTime(t.expiresAt()));
        }
        o.put("created_at", ImageView.isoTime(t.createdAt()));
        o.put("updated_at", ImageView.isoTime(t.updatedAt()));
        o.put("self", "/v2/tasks/" + t.id());
        o.put("schema", "/v2/schemas/task");
        return o;
    }

    /** The stub with what only a single task's view carries: input, result, message and who asked. */
    static ObjectNode full(Task t) {
        ObjectNode o = stub(t);
        o.set("input", input(t));
        o.set("result", json(t.result()));
        o.put("message", t.message());
        if (t.imageId() != null) {
            o.put("image_id", t.imageId());
        }
        if (t.requestId() != null) {
            o.put("request_id", t.requestId());
        }
        if (t.userId() != null) {
            o.put("user_id", t.userId());
        }
        return o;
    }

    static ObjectNode raw(Task t) {
        ObjectNode o = Json.object();
        o.put("id", t.id());
        o.put("type", t.type());
        o.put("status", t.status());
        o.put("owner", t.owner());
        o.put("image_id", t.imageId());
        o.put("request_id", t.requestId());
        o.put("user_id", t.userId());
        o.put("expires_at", t.expiresAt() == null ? null : RAW_TIME.format(t.expiresAt()));
        o.put("created_at", RAW_TIME.format(t.createdAt()));
        o.put("updated_at", RAW_TIME.format(t.updatedAt()));
        o.putNull("deleted_at");
        o.put("deleted", false);
        o.set("input", input(t));
        o.set("result", json(t.result()));
        o.put("message", t.message());
        return o;
    }

    private static String encode(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&");
        params.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    /**
     * The task's input as shown: a location import keeps the URL it was given, which may carry an s3 store's keys
     * (Glance's form), because the task reads it from there; the view hides them as every other answer does.
     */
    private static JsonNode input(Task t) {
        JsonNode in = json(t.input());
        if (in instanceof ObjectNode o && o.path("loc_url").isTextual()) {
            o.put("loc_url", LocationUrls.shown(o.get("loc_url").asText()));
        }
        return in;
    }

    private static JsonNode json(String s) {
        if (s == null) {
            return Json.MAPPER.nullNode();
        }
        try {
            return Json.MAPPER.readTree(s);
        } catch (java.io.IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(s);
        }
    }
}
