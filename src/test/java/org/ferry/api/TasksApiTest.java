package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /v2/images/{id}/tasks (Glance's raw DB dict) and Glance's admin-only tasks API: GET /v2/tasks (stubs, filters,
 * sorting, paging), GET /v2/tasks/{id}, POST /v2/tasks validation, DELETE. The first task comes from an upload with
 * x-openstack-base-image-ref, whose copy to the base image's other store runs as a task; list tests insert their own
 * tasks, each set under its own owner. Running legacy import tasks is in routes/TaskImportTest.
 */
class TasksApiTest {
    private static final Pattern RAW_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
    private static final Pattern ISO_Z = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    private static final String[] OWNER = as("proj-t", "member,reader");

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    /** An image of proj-t whose upload made one copy task. */
    static String image;
    static String taskId;
    static String requestId;

    @BeforeAll
    static void start() {
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

    // ---- GET /v2/tasks, POST /v2/tasks, DELETE: Glance's deprecated tasks API (issue 12, defect 2) ----

    private static final String[] JSON_ACCEPT = {"Accept", "application/json"};

    /** Six tasks of their own project, inserted directly: created a minute apart, one of them expired. */
    private static List<Task> listFixture(String project) {
        TaskRepository repo = ImageFixtures.taskRepository(ferry);
        Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        String[] statuses = {"success", "failure", "pending", "processing", "success", "failure"};
        List<Task> made = new ArrayList<>();
        for (int i = 0; i < statuses.length; i++) {
            Instant created = t0.plus(Duration.ofMinutes(i));
            boolean finished = statuses[i].equals("success") || statuses[i].equals("failure");
            // the last one expired a minute ago: it must not be listed
            Instant expires = i == statuses.length - 1 ? Instant.now().minus(Duration.ofMinutes(1))
                    : finished ? Instant.now().plus(Duration.ofHours(47)) : null;
            Task t = new Task(UUID.randomUUID().toString(), "import", statuses[i], project, null, "req-" + i,
                    "user-" + i, "{\"import_from\": \"http://example.com/" + i + "\"}", null, "m" + i, expires,
                    created, created);
            repo.create(t);
            made.add(t);
        }
        return made;
    }

    /** Follows "next" links from {@code first} as a client does; returns the ids in page order. */
    private static List<String> walk(String first) {
        List<String> ids = new ArrayList<>();
        String next = first;
        for (int pages = 0; next != null; pages++) {
            assertTrue(pages < 20, "paging does not end");
            var r = ferry.get(next);
            assertEquals(200, r.status(), next + ": " + r.text());
            r.json().get("tasks").forEach(t -> ids.add(t.get("id").asText()));
            next = r.json().has("next") ? r.json().get("next").asText() : null;
        }
        return ids;
    }

    @Test
    void listIsTasksStubsWithGlancesLinks() {
        List<Task> made = listFixture("proj-shape");
        var r = ferry.get("/v2/tasks?owner=proj-shape");
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode body = r.json();
        assertEquals(List.of("first", "schema", "tasks"), fieldNames(body));
        assertEquals("/v2/tasks?owner=proj-shape", body.get("first").asText());
        assertEquals("/v2/schemas/tasks", body.get("schema").asText());
        JsonNode tasks = body.get("tasks");
        assertEquals(5, tasks.size(), "the expired task is left out: " + tasks);
        // newest first (created_at desc)
        assertEquals(made.get(4).id(), tasks.get(0).get("id").asText());
        JsonNode finished = tasks.get(0);
        assertEquals(List.of("created_at", "expires_at", "id", "owner", "schema", "self", "status", "type",
                "updated_at"), fieldNames(finished));
        assertEquals("/v2/tasks/" + made.get(4).id(), finished.get("self").asText());
        assertEquals("/v2/schemas/task", finished.get("schema").asText());
        assertEquals("import", finished.get("type").asText());
        assertEquals("proj-shape", finished.get("owner").asText());
        for (String k : List.of("created_at", "updated_at", "expires_at")) {
            assertTrue(ISO_Z.matcher(finished.get(k).asText()).matches(), k + " = " + finished.get(k));
        }
        JsonNode pending = tasks.get(2);
        assertEquals("pending", pending.get("status").asText());
        assertFalse(pending.has("expires_at"), "no expires_at while a task runs: " + pending);

        assertEquals("/v2/tasks", ferry.get("/v2/tasks").json().get("first").asText());
        var all = ferry.get("/v2/tasks?limit=1000");
        assertEquals(200, all.status());
        assertTrue(ids(all.json()).contains(taskId), "the fixture's copy task is listed too");
    }

    @Test
    void pagingFollowsNextWithLimitAndSortParameters() {
        List<Task> made = listFixture("proj-page");
        List<String> newestFirst = new ArrayList<>();
        for (int i = 4; i >= 0; i--) {
            newestFirst.add(made.get(i).id());
        }
        var first = ferry.get("/v2/tasks?owner=proj-page&limit=2");
        assertEquals("/v2/tasks?owner=proj-page&limit=2&marker=" + made.get(3).id(), first.json().get("next").asText());
        assertEquals(newestFirst, walk("/v2/tasks?owner=proj-page&limit=2"));
        assertEquals(newestFirst, walk("/v2/tasks?owner=proj-page&limit=1"));
        // a full last page still has a next link (Glance's rule), whose page is empty
        assertEquals(newestFirst, walk("/v2/tasks?owner=proj-page&limit=5"));
        List<String> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        assertEquals(oldestFirst, walk("/v2/tasks?owner=proj-page&limit=2&sort_dir=asc"));
        // by status, then created_at, in the same direction
        List<String> byStatus = List.of(made.get(1).id(), made.get(2).id(), made.get(3).id(), made.get(0).id(),
                made.get(4).id());
        assertEquals(byStatus, walk("/v2/tasks?owner=proj-page&sort_key=status&sort_dir=asc&limit=2"));
        assertEquals(2, ferry.get("/v2/tasks?owner=proj-page&marker=" + made.get(2).id()).json().get("tasks").size());
        assertEquals(0, ferry.get("/v2/tasks?owner=proj-page&limit=0").json().get("tasks").size());
        assertFalse(ferry.get("/v2/tasks?owner=proj-page&limit=0").json().has("next"));
    }

    @Test
    void filtersByStatusTypeAndColumns() {
        List<Task> made = listFixture("proj-filter");
        assertEquals(List.of(made.get(4).id(), made.get(0).id()),
                ids(ferry.get("/v2/tasks?owner=proj-filter&status=success").json()));
        assertEquals(List.of(made.get(1).id()), ids(ferry.get("/v2/tasks?owner=proj-filter&status=failure").json()),
                "the expired failure is not listed");
        assertEquals(5, ids(ferry.get("/v2/tasks?owner=proj-filter&type=import").json()).size());
        assertEquals(List.of(made.get(2).id()),
                ids(ferry.get("/v2/tasks?owner=proj-filter&request_id=req-2").json()));
        assertEquals(List.of(), ids(ferry.get("/v2/tasks?owner=proj-filter&user_id=nobody").json()));
        // a parameter that is no task column is ignored, as Glance does
        assertEquals(5, ids(ferry.get("/v2/tasks?owner=proj-filter&color=blue").json()).size());
    }

    @Test
    void badListParametersGetGlancesErrors() {
        Task expired = listFixture("proj-bad").get(5);
        String unknown = "6b2f0c3a-0000-4000-8000-000000000000";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("status=done", "Invalid status value: done");
        cases.put("type=api_image_import", "Invalid type value: api_image_import");
        cases.put("sort_dir=up", "Invalid sort direction: up");
        cases.put("sort_key=input", "Sort key supplied was not valid.");
        cases.put("sort_key=name", "Sort key supplied was not valid.");
        cases.put("marker=not-a-uuid", "Invalid marker format");
        cases.put("marker=" + unknown, "Task with the given id " + unknown + " was not found");
        cases.put("marker=" + expired.id(), "Task with the given id " + expired.id() + " was not found");
        cases.put("limit=ten", "limit param must be an integer");
        cases.put("limit=-1", "limit param must be positive");
        cases.put("limit=1.5", "limit param must be an integer");
        cases.forEach((query, message) -> {
            var r = ferry.get("/v2/tasks?" + query, JSON_ACCEPT);
            assertEquals(400, r.status(), query + ": " + r.text());
            assertTrue(r.json().get("message").asText().startsWith(message), query + ": " + r.text());
        });
    }

    @Test
    void limitIsCappedByApiLimitMax() {
        // limit_param_default 25 and api_limit_max 1000 (defaults): a huge limit is accepted and capped
        for (String limit : List.of("5000", "99999999999999999999")) {
            var r = ferry.get("/v2/tasks?limit=" + limit);
            assertEquals(200, r.status(), r.text());
            assertFalse(r.json().has("next"), "fewer than 1000 tasks");
        }
    }

    @Test
    void theTasksApiIsAdminOnly() {
        String[] member = as("proj-t", "member,reader", "Accept", "application/json");
        String denied = "You are not authorized to complete tasks_api_access action.";
        List<TestFerry.TestResponse> calls = List.of(ferry.get("/v2/tasks", member),
                ferry.get("/v2/tasks?status=bogus", member),
                ferry.get("/v2/tasks/" + taskId, member),
                ferry.postJson("/v2/tasks", "{\"type\": \"import\", \"input\": {}}", member),
                ferry.postJson("/v2/tasks", "not json", member),
                ferry.delete("/v2/tasks/" + taskId, member));
        for (var r : calls) {
            assertEquals(403, r.status(), r.text());
            assertTrue(r.json().get("message").asText().startsWith(denied), r.text());
        }
    }

    @Test
    void deletingATaskExplainsWhy() {
        var r = ferry.delete("/v2/tasks/" + taskId, JSON_ACCEPT);
        assertEquals(405, r.status());
        assertEquals("GET", r.header("Allow"));
        assertTrue(r.json().get("message").asText().startsWith("This operation is currently not permitted on Glance "
                + "Tasks. They are auto deleted after reaching the time based on their expires_at property."), r.text());
    }

    @Test
    void createRefusesBadBodiesWithGlancesTexts() {
        String ok = "\"import_from_format\": \"raw\", \"image_properties\": {}";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{}", "Task 'type' is required");
        cases.put("[]", "Task 'type' is required");
        cases.put("{\"type\": \"import\"}", "Task 'input' is required");
        cases.put("{\"input\": {}}", "Task 'type' is required");
        cases.put("{\"type\": \"copy\", \"input\": {}}", "Provided object does not match schema 'task': 'copy' "
                + "is not one of ['import', 'api_image_import', 'location_import']");
        cases.put("{\"type\": 7, \"input\": {}}", "Provided object does not match schema 'task': 7 is not ");
        cases.put("{\"type\": \"import\", \"input\": \"x\"}", "Provided object does not match schema 'task': "
                + "'x' is not of type 'null', 'object'");
        cases.put("{\"type\": \"import\", \"input\": {}, \"color\": \"blue\"}", "Provided object does not match "
                + "schema 'task': Additional properties are not allowed ('color' was unexpected)");
        cases.put("{\"type\": \"api_image_import\", \"input\": {}}", "Task type api_image_import is run by the "
                + "image import and location APIs");
        cases.put("{\"type\": \"import\", \"input\": null}", "Invalid location: None");
        cases.put("{\"type\": \"import\", \"input\": {" + ok + "}}", "Invalid location: None");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"\", " + ok + "}}", "Invalid location: ");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": 5, " + ok + "}}", "Invalid location: 5");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"file:///etc/passwd\", " + ok + "}}",
                "File based imports are not allowed. Please use a non-local source of image data.");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"ftp://127.0.0.1/x\", " + ok + "}}",
                "The given uri is not valid. Please specify a valid uri from the following list of supported uri "
                        + "['http']");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1:8080/x\", " + ok + "}}",
                "URI for legacy import task does not pass filtering: http://127.0.0.1:8080/x");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1/x\", "
                + "\"image_properties\": {}}}", "Input does not contain 'import_from_format' field");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1/x\", "
                + "\"import_from_format\": \"raw\"}}", "Input does not contain 'image_properties' field");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1/x\", "
                + "\"import_from_format\": \"raw\", \"image_properties\": [1]}}", "Input field 'image_properties' "
                + "must be an object");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1/x\", "
                + "\"import_from_format\": \"raw\", \"image_properties\": {\"name\": \"n\"}}}",
                "'container_format' needs to be set in image_properties before import");
        cases.put("{\"type\": \"import\", \"input\": {\"import_from\": \"http://127.0.0.1/x\", "
                + "\"import_from_format\": \"raw\", \"image_properties\": {\"disk_format\": \"floppy\"}}}",
                "Provided object does not match schema 'image': 'floppy' is not one of");
        int tasksBefore = ids(ferry.get("/v2/tasks?limit=1000").json()).size();
        int imagesBefore = ferry.get("/v2/images?limit=1000").json().get("images").size();
        cases.forEach((body, message) -> {
            var r = ferry.postJson("/v2/tasks", body, JSON_ACCEPT);
            assertEquals(400, r.status(), body + ": " + r.text());
            assertTrue(r.json().get("message").asText().startsWith(message), body + ": " + r.text());
        });
        var empty = ferry.call("POST", "/v2/tasks", "application/json", new byte[0], JSON_ACCEPT);
        assertEquals(400, empty.status());
        assertTrue(empty.json().get("message").asText().startsWith("Body expected in request."), empty.text());
        var malformed = ferry.postJson("/v2/tasks", "{\"type\":", JSON_ACCEPT);
        assertEquals(400, malformed.status());
        assertTrue(malformed.json().get("message").asText().startsWith("Malformed JSON in request body."));
        var readOnly = ferry.postJson("/v2/tasks", "{\"type\": \"import\", \"input\": {\"import_from\": "
                + "\"http://127.0.0.1/x\", \"import_from_format\": \"raw\", \"image_properties\": "
                + "{\"status\": \"active\"}}}", JSON_ACCEPT);
        assertEquals(403, readOnly.status(), readOnly.text());
        assertTrue(readOnly.json().get("message").asText().startsWith("Attribute 'status' is read-only."));
        assertEquals(tasksBefore, ids(ferry.get("/v2/tasks?limit=1000").json()).size(), "no task was created");
        assertEquals(imagesBefore, ferry.get("/v2/images?limit=1000").json().get("images").size(),
                "no image was created");
    }

    @Test
    void schemasOfTasksMatchGlance() {
        JsonNode task = ferry.get("/v2/schemas/task").json();
        assertEquals("task", task.get("name").asText());
        assertFalse(task.has("additionalProperties") || task.has("links"), task.toString());
        assertEquals(List.of("created_at", "expires_at", "id", "image_id", "input", "message", "owner", "request_id",
                "result", "schema", "self", "status", "type", "updated_at", "user_id"),
                fieldNames(task.get("properties")));
        assertEquals("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
                task.at("/properties/id/pattern").asText());
        assertTrue(task.at("/properties/self/readOnly").asBoolean());
        assertEquals("[\"null\",\"object\"]", task.at("/properties/input/type").toString());

        JsonNode tasks = ferry.get("/v2/schemas/tasks").json();
        assertEquals("tasks", tasks.get("name").asText());
        assertEquals(List.of("schema", "tasks"), fieldNames(tasks.get("properties")));
        assertEquals("[{\"rel\":\"describedby\",\"href\":\"{schema}\"}]", tasks.get("links").toString());
        JsonNode item = tasks.at("/properties/tasks/items");
        assertEquals("array", tasks.at("/properties/tasks/type").asText());
        assertEquals("task", item.get("name").asText());
        assertEquals(List.of("created_at", "expires_at", "id", "image_id", "owner", "request_id", "schema", "self",
                "status", "type", "updated_at", "user_id"), fieldNames(item.get("properties")));
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("tasks").forEach(t -> ids.add(t.get("id").asText()));
        return ids;
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }
}
