package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /v2/images/{id}/tasks (Glance's raw DB dict) and the admin-only GET /v2/tasks/{id}. The task comes from an
 * upload with x-openstack-base-image-ref, whose copy to the base image's other store runs as a task.
 */
class TasksApiTest {
    private static final Pattern RAW_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
    private static final Pattern ISO_Z = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    private static final String[] OWNER = as("proj-t", "member,reader");

    @TempDir
    static Path dir;
    static TestFerry ferry;
    /** An image of proj-t whose upload made one copy task. */
    static String image;
    static String taskId;
    static String requestId;

    @BeforeAll
    static void start() {
        ferry = TestFerry.start(dir);
        String base = uploaded(ferry, random(1000), OWNER);
        ImageFixtures.addCopy(ferry, base, "fast", "cheap");
        image = ImageFixtures.create(ferry, OWNER);
        var r = ferry.putData("/v2/images/" + image + "/file", random(5000),
                ImageFixtures.concat(OWNER, "x-openstack-base-image-ref", base, "X-Openstack-Request-ID", "tasks-test-1"));
        assertEquals(204, r.status(), r.text());
        requestId = r.header("x-openstack-request-id");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode tasks = ferry.get("/v2/images/" + image + "/tasks").json().get("tasks");
            return tasks.size() == 1 && tasks.get(0).get("status").asText().equals("success");
        });
        taskId = ferry.get("/v2/images/" + image + "/tasks").json().at("/tasks/0/id").asText();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void theRequestIdIsAdoptedWithAReqPrefix() {
        assertEquals("req-tasks-test-1", requestId);
    }

    @Test
    void imageTasksHaveTheRawDatabaseShape() {
        var r = ferry.get("/v2/images/" + image + "/tasks", OWNER);
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode tasks = r.json().get("tasks");
        assertEquals(1, tasks.size());
        JsonNode t = tasks.get(0);
        assertEquals(List.of("id", "type", "status", "owner", "image_id", "request_id", "user_id", "expires_at",
                "created_at", "updated_at", "deleted_at", "deleted", "input", "result", "message").stream().sorted()
                .toList(), fieldNames(t));
        assertEquals(taskId, t.get("id").asText());
        assertEquals("api_image_import", t.get("type").asText());
        assertEquals("success", t.get("status").asText());
        assertEquals("proj-t", t.get("owner").asText());
        assertEquals(image, t.get("image_id").asText());
        assertEquals(requestId, t.get("request_id").asText());
        assertEquals("proj-t-user", t.get("user_id").asText());
        for (String k : List.of("created_at", "updated_at", "expires_at")) {
            assertTrue(RAW_TIME.matcher(t.get(k).asText()).matches(), k + " = " + t.get(k));
        }
        assertTrue(t.get("deleted_at").isNull());
        assertFalse(t.get("deleted").asBoolean());
        assertTrue(t.get("deleted").isBoolean());
        assertEquals(image, t.at("/input/image_id").asText());
        assertEquals("copy-image", t.at("/input/import_req/method/name").asText());
        assertEquals("[\"cheap\"]", t.at("/input/backend").toString());
        assertEquals(image, t.at("/result/image_id").asText());
        assertTrue(t.get("message").asText().startsWith("Copied "), t.get("message").toString());
        assertFalse(t.has("self") || t.has("schema"), "the raw shape has no links");
    }

    @Test
    void anImageWithoutTasksHasAnEmptyList() {
        String id = uploaded(ferry, random(10), OWNER);
        var r = ferry.get("/v2/images/" + id + "/tasks", OWNER);
        assertEquals(200, r.status());
        assertEquals("{\"tasks\":[]}", r.json().toString());
    }

    @Test
    void missingOrInvisibleImageIs404WithTheDefaultExplanation() {
        var r = ferry.get("/v2/images/4c2d3e4f-0000-4000-8000-000000000000/tasks", "Accept", "application/json");
        assertEquals(404, r.status());
        assertTrue(r.json().get("message").asText().startsWith("The resource could not be found."), r.text());
        var hidden = ferry.get("/v2/images/" + image + "/tasks", as("proj-other", "member,reader", "Accept",
                "application/json"));
        assertEquals(404, hidden.status());
        assertTrue(hidden.json().get("message").asText().startsWith("The resource could not be found."),
                hidden.text());
    }

    @Test
    void tasksOfAnotherProjectAreLeftOutOfAVisibleImage() {
        String base = uploaded(ferry, random(100), OWNER);
        ImageFixtures.addCopy(ferry, base, "fast", "cheap");
        String id = ImageFixtures.create(ferry, OWNER);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", random(100),
                ImageFixtures.concat(OWNER, "x-openstack-base-image-ref", base)).status());
        assertEquals(200, ferry.patch("/v2/images/" + id,
                "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"public\"}]").status());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ferry.get("/v2/images/" + id + "/tasks", OWNER).json().get("tasks").size() == 1);
        var other = ferry.get("/v2/images/" + id + "/tasks", as("proj-other", "member,reader"));
        assertEquals(200, other.status(), "a public image is visible");
        assertEquals(0, other.json().get("tasks").size(), "but its tasks belong to proj-t");
        assertEquals(1, ferry.get("/v2/images/" + id + "/tasks").json().get("tasks").size(), "an admin sees them");
    }

    @Test
    void aReaderOfTheOwnerMaySeeTheTasks() {
        var r = ferry.get("/v2/images/" + image + "/tasks", as("proj-t", "reader"));
        assertEquals(200, r.status());
        assertEquals(1, r.json().get("tasks").size());
    }

    @Test
    void showTaskForAnAdmin() {
        var r = ferry.get("/v2/tasks/" + taskId);
        assertEquals(200, r.status(), r.text());
        JsonNode t = r.json();
        assertEquals(taskId, t.get("id").asText());
        assertEquals("api_image_import", t.get("type").asText());
        assertEquals("success", t.get("status").asText());
        assertEquals("proj-t", t.get("owner").asText());
        assertEquals(image, t.get("image_id").asText());
        assertEquals(requestId, t.get("request_id").asText());
        assertEquals("proj-t-user", t.get("user_id").asText());
        assertEquals("/v2/tasks/" + taskId, t.get("self").asText());
        assertEquals("/v2/schemas/task", t.get("schema").asText());
        assertEquals("copy-image", t.at("/input/import_req/method/name").asText());
        assertEquals(image, t.at("/result/image_id").asText());
        assertTrue(t.get("message").isTextual());
        for (String k : List.of("created_at", "updated_at", "expires_at")) {
            assertTrue(ISO_Z.matcher(t.get(k).asText()).matches(), k + " = " + t.get(k));
        }
        assertFalse(t.has("deleted") || t.has("deleted_at"));
    }

    @Test
    void showTaskIsAdminOnly() {
        var r = ferry.get("/v2/tasks/" + taskId, OWNER);
        assertEquals(403, r.status(), r.text());
        assertEquals(403, ferry.get("/v2/tasks/" + taskId, as("proj-t", "reader")).status());
    }

    @Test
    void unknownTaskIs404() {
        assertEquals(404, ferry.get("/v2/tasks/5a4b3c2d-0000-4000-8000-000000000000").status());
        assertEquals(404, ferry.get("/v2/tasks/nope").status());
    }

    @Test
    void deletingATaskIs405AllowGet() {
        var r = ferry.delete("/v2/tasks/" + taskId);
        assertEquals(405, r.status());
        assertEquals("GET", r.header("Allow"));
        assertEquals(200, ferry.get("/v2/tasks/" + taskId).status());
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }
}
