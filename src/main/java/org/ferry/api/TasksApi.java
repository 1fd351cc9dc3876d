package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.Policy;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** GET /v2/images/{id}/tasks (Glance's raw DB shape) and the admin-only GET /v2/tasks/{id}. */
public final class TasksApi {
    private static final DateTimeFormatter RAW_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private final TaskRepository tasks;
    private final ImageGuard guard;
    private final Policy policy;

    public TasksApi(TaskRepository tasks, ImageGuard guard, Policy policy) {
        this.tasks = tasks;
        this.guard = guard;
        this.policy = policy;
    }

    public void register(Router r) {
        r.add("GET", "/v2/images/{id}/tasks", this::imageTasks);
        r.add("GET", "/v2/tasks/{id}", this::show);
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

    void show(ApiRequest req) {
        policy.enforce("tasks_api_access", req.context(), Map.of());
        Task t = tasks.find(req.path("id")).orElseThrow(() -> ApiException.notFound("Task with the given id "
                + req.path("id") + " was not found"));
        ObjectNode o = Json.object();
        o.put("id", t.id());
        o.put("type", t.type());
        o.put("status", t.status());
        o.put("owner", t.owner());
        o.set("input", json(t.input()));
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
        if (t.expiresAt() != null) {
            o.put("expires_at", ImageView.isoTime(t.expiresAt()));
        }
        o.put("created_at", ImageView.isoTime(t.createdAt()));
        o.put("updated_at", ImageView.isoTime(t.updatedAt()));
        o.put("self", "/v2/tasks/" + t.id());
        o.put("schema", "/v2/schemas/task");
        Responses.json(req.exchange(), 200, o);
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
        o.set("input", json(t.input()));
        o.set("result", json(t.result()));
        o.put("message", t.message());
        return o;
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
