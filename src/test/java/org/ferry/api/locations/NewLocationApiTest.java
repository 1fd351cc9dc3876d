package org.ferry.api.locations;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference §7.2: the New Location API (POST/GET /v2/images/{id}/locations) with show_multiple_locations = false,
 * stores {@code fast:file, cheap:file, web:http} and a web server on 127.0.0.1. The service caller is the user's
 * project with the service role added, as Cinder acts.
 */
class NewLocationApiTest {
    static final byte[] DATA = WebImages.randomBytes(2 * 1024 * 1024 + 123, 11);
    static final String MD5 = WebImages.hex("MD5", DATA);
    static final String SHA256 = WebImages.hex("SHA-256", DATA);
    static final String SHA512 = WebImages.hex("SHA-512", DATA);

    @RegisterExtension
    static final WebImages web = new WebImages();
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").put("enabled_backends", "fast:file, cheap:file, web:http"));
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient cinder = ApiClient.as(ferry, "proj-a", "member,reader,service");
    static final ApiClient owner = ApiClient.member(ferry, "proj-a");
    static final ApiClient alt = ApiClient.member(ferry, "proj-b");
    static final ApiClient stranger = ApiClient.member(ferry, "proj-c");
    static String url;

    @BeforeAll
    static void start() {
        url = web.serve("/volumes/vol-1.raw", DATA);
    }

    static String locations(String id) {
        return "/v2/images/" + id + "/locations";
    }

    static String body(String url, String algo, String value) {
        return "{\"url\":\"" + url + "\"" + (algo == null ? "" : ",\"validation_data\":{\"os_hash_algo\":\"" + algo
                + "\",\"os_hash_value\":\"" + value + "\"}") + "}";
    }

    static void accepted(TestResponse r) {
        assertEquals(202, r.status(), r.text());
        assertEquals(0, r.body().length);
    }

    static JsonNode awaitStatus(ApiClient who, String id, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = who.show(id);
            return status.equals(last[0].get("status").asText());
        });
        return last[0];
    }

    static JsonNode awaitTask(ApiClient who, String id) {
        JsonNode[] task = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            TestResponse r = who.get("/v2/images/" + id + "/tasks");
            JsonNode tasks = r.json().get("tasks");
            if (tasks.isEmpty()) {
                return false;
            }
            task[0] = tasks.get(tasks.size() - 1);
            String s = task[0].get("status").asText();
            return s.equals("success") || s.equals("failure");
        });
        return task[0];
    }

    static final String INVISIBLE = "It's not allowed to add/update/remove locations if locations are invisible.";

    @Test
    void locationFieldsAreHiddenAndLegacyPatchIsRefused() {
        String id = owner.createRaw("");
        owner.upload(id, DATA);
        JsonNode img = owner.show(id);
        assertFalse(img.has("locations"), img.toString());
        assertFalse(img.has("direct_url"), img.toString());
        assertError(owner.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"" + url
                + "\",\"metadata\":{}}}]"), 403, INVISIBLE);
        assertError(owner.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[{\"url\":\"" + url
                + "\",\"metadata\":{}}]}]"), 403, INVISIBLE);
        assertError(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"), 403,
                INVISIBLE);
        assertError(admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[]}]"), 403, INVISIBLE);
        // but the service reads them
        TestResponse r = cinder.get(locations(id));
        assertEquals(200, r.status(), r.text());
        assertTrue(r.json().isArray());
        assertEquals("fast", r.json().get(0).get("metadata").get("store").asText());
    }

    @Test
    void credentialsInALocationNeverShowInTheTaskOrTheLocations() {
        // Glance writes an s3 store's keys into the URL; an http URL with user information stands in for it here
        String withKeys = url.replaceFirst("^http://", "http://vol-user:vol-secret@");
        String id = owner.createRaw("\"name\":\"volume-with-keys\"");
        accepted(cinder.post(locations(id), body(withKeys, null, null)));
        awaitStatus(owner, id, "active");
        String shown = url.replaceFirst("^http://", "http://***@");
        JsonNode task = awaitTask(cinder, id);
        assertEquals("success", task.get("status").asText(), task.toString());
        assertEquals(shown, task.get("input").get("loc_url").asText());
        TestResponse one = admin.get("/v2/tasks/" + task.get("id").asText());
        assertEquals(200, one.status(), one.text());
        assertFalse(one.text().contains("vol-secret"), one.text());
        TestResponse locs = cinder.get(locations(id));
        assertEquals(shown, locs.json().get(0).get("url").asText(), locs.text());
    }

    @Test
    void serviceAddsAnHttpLocationAndTheHashFollows() {
        String id = owner.createRaw("\"name\":\"volume-upload\"");
        accepted(cinder.post(locations(id), body(url, null, null)));
        JsonNode img = awaitStatus(owner, id, "active");
        assertFalse(img.has("locations"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !owner.show(id).get("os_hash_value").isNull());
        img = owner.show(id);
        assertEquals(MD5, img.get("checksum").asText());
        assertEquals("sha512", img.get("os_hash_algo").asText());
        assertEquals(SHA512, img.get("os_hash_value").asText());
        assertEquals(DATA.length, img.get("size").asLong());
        assertEquals("web", img.get("stores").asText());
        assertFalse(img.has("os_glance_import_task"), "the lock is released: " + img);

        TestResponse data = owner.get("/v2/images/" + id + "/file");
        assertEquals(200, data.status());
        assertArrayEquals(DATA, data.body());
        assertEquals(MD5, data.header("Content-MD5"));

        JsonNode task = awaitTask(owner, id);
        assertEquals("location_import", task.get("type").asText());
        assertEquals("success", task.get("status").asText());
        assertEquals(url, task.get("input").get("loc_url").asText());
        assertEquals(id, task.get("result").get("image_id").asText());

        TestResponse locs = cinder.get(locations(id));
        assertEquals(200, locs.status(), locs.text());
        assertEquals(1, locs.json().size());
        assertEquals(url, locs.json().get(0).get("url").asText());
        assertEquals("web", locs.json().get(0).get("metadata").get("store").asText());
        assertEquals(2, locs.json().get(0).size(), "url and metadata only");
        assertEquals(200, admin.get(locations(id)).status());
    }

    @Test
    void validationDataIsVerifiedBeforeTheImageGoesActive() {
        String id = owner.createRaw("");
        accepted(cinder.post(locations(id), body(url, "sha256", SHA256)));
        JsonNode img = awaitStatus(owner, id, "active");
        assertEquals("sha256", img.get("os_hash_algo").asText());
        assertEquals(SHA256, img.get("os_hash_value").asText());
        assertEquals(MD5, img.get("checksum").asText());
        assertEquals(DATA.length, img.get("size").asLong());
        assertEquals("success", awaitTask(owner, id).get("status").asText());
    }

    @Test
    void aMismatchPutsTheImageBackToQueuedWithoutTheLocation() {
        String id = owner.createRaw("");
        String wrong = "ab".repeat(32);
        accepted(cinder.post(locations(id), body(url, "sha256", wrong)));
        JsonNode task = awaitTask(owner, id);
        assertEquals("failure", task.get("status").asText());
        assertTrue(task.get("message").asText().contains("os_hash_value: (" + wrong + ") not matched with actual "
                + "os_hash_value: (" + SHA256 + ")"), task.toString());
        JsonNode img = owner.show(id);
        assertEquals("queued", img.get("status").asText());
        for (String f : new String[] {"checksum", "os_hash_algo", "os_hash_value", "size"}) {
            assertTrue(img.get(f).isNull(), f + " of " + img);
        }
        assertFalse(img.has("os_glance_import_task"));
        assertFalse(img.has("stores"));
        assertEquals(0, cinder.get(locations(id)).json().size());
        // the image can take a (right) location again
        accepted(cinder.post(locations(id), body(url, "sha512", SHA512)));
        assertEquals(SHA512, awaitStatus(owner, id, "active").get("os_hash_value").asText());
    }

    @Test
    void onlyQueuedImagesTakeALocation() {
        String id = owner.createRaw("");
        owner.upload(id, DATA);
        assertError(cinder.post(locations(id), body(url, null, null)), 409,
                "It's not allowed to add locations if image status is active.");
    }

    @Test
    void whoMayAddAndRead() throws Exception {
        String id = owner.createRaw("");
        assertEquals(200, owner.post("/v2/images/" + id + "/members", "{\"member\":\"proj-b\"}").status());
        // a member project of a shared image, or the owner without the member role: 403
        assertError(alt.post(locations(id), body(url, null, null)), 403, "add_image_location");
        assertError(ApiClient.as(ferry, "proj-a", "reader").post(locations(id), body(url, null, null)), 403,
                "add_image_location");
        assertError(stranger.post(locations(id), body(url, null, null)), 404, "No image found");
        // reading locations is for service and admin tokens only
        assertError(owner.get(locations(id)), 403, "fetch_image_location");
        assertError(alt.get(locations(id)), 403, "fetch_image_location");
        assertEquals(404, stranger.get(locations(id)).status());
        // without the service role only http URLs, and only with an http store
        Path volume = ferry.dir().resolve("fast").resolve("volume-owner.raw");
        Files.write(volume, DATA);
        assertError(owner.post(locations(id), body("file://" + volume.toAbsolutePath(), null, null)), 403,
                "http store must be enabled to use location API by normal user.");
        assertError(admin.post(locations(id), body("file://" + volume.toAbsolutePath(), null, null)), 403,
                "http store must be enabled to use location API by normal user.");
        // the owner may add an http location itself
        accepted(owner.post(locations(id), body(url, null, null)));
        awaitStatus(owner, id, "active");
        assertEquals(200, cinder.get(locations(id)).status());
    }

    @Test
    void aServiceTokenWithoutReaderPassesOnItsRole() {
        String id = admin.createRaw("\"visibility\":\"public\"");
        ApiClient service = ApiClient.as(ferry, "services", "service");
        accepted(service.post(locations(id), body(url, null, null)));
        awaitStatus(admin, id, "active");
        TestResponse r = service.get(locations(id));
        assertEquals(200, r.status(), r.text());
        assertEquals(url, r.json().get(0).get("url").asText());
    }

    @Test
    void serviceMayNameAFileInsideAStore() throws Exception {
        Path volume = ferry.dir().resolve("cheap").resolve("volume-0002.raw");
        Files.write(volume, DATA);
        String id = owner.createRaw("");
        accepted(cinder.post(locations(id), body("file://" + volume.toAbsolutePath(), "sha512", SHA512)));
        JsonNode img = awaitStatus(owner, id, "active");
        assertEquals("cheap", img.get("stores").asText());
        assertEquals(SHA512, img.get("os_hash_value").asText());
        assertArrayEquals(DATA, owner.get("/v2/images/" + id + "/file").body());
        assertEquals("cheap", cinder.get(locations(id)).json().get(0).get("metadata").get("store").asText());
    }

    @Test
    void unusableLocationsFailTheTaskAndLeaveTheImageQueued() throws Exception {
        Path outside = ferry.dir().resolve("outside.raw");
        Files.write(outside, DATA);
        String[] bad = {"gopher://example.com/x.img", web.url("/missing.img"), "file://" + outside.toAbsolutePath()};
        for (String u : bad) {
            String id = owner.createRaw("");
            accepted(cinder.post(locations(id), body(u, null, null)));
            JsonNode task = awaitTask(owner, id);
            assertEquals("failure", task.get("status").asText(), u);
            assertTrue(task.get("message").asText().contains("Invalid location"), task.toString());
            JsonNode img = owner.show(id);
            assertEquals("queued", img.get("status").asText());
            assertFalse(img.has("os_glance_import_task"));
            assertEquals(0, cinder.get(locations(id)).json().size());
        }
    }

    @Test
    void formatsAreNeededToGoActive() {
        String id = owner.post("/v2/images", "{\"name\":\"no-formats\"}").json().get("id").asText();
        accepted(cinder.post(locations(id), body(url, null, null)));
        JsonNode task = awaitTask(owner, id);
        assertEquals("failure", task.get("status").asText());
        assertTrue(task.get("message").asText().contains("Properties disk_format, container_format must be set prior "
                + "to saving data."), task.toString());
        assertEquals("queued", owner.show(id).get("status").asText());
        assertEquals(0, cinder.get(locations(id)).json().size());
        assertTrue(owner.show(id).get("size").isNull());
    }

    @Test
    void bodyAndValidationDataErrorsAre400() {
        String id = owner.createRaw("");
        assertError(cinder.post(locations(id), null), 400, "Body expected in request.");
        assertError(cinder.post(locations(id), "{\"url\":"), 400, "Malformed JSON in request body.");
        assertError(cinder.post(locations(id), "{}"), 400, "'url' is a required property");
        assertError(cinder.post(locations(id), "[]"), 400, "is not of type 'object'");
        assertError(cinder.post(locations(id), "{\"url\":5}"), 400, "5 is not of type 'string'");
        assertError(cinder.post(locations(id), "{\"url\":\"" + url + "\",\"validation_data\":{\"checksum\":\"" + MD5
                + "\"}}"), 400, "Additional properties are not allowed ('checksum' was unexpected)");
        assertError(cinder.post(locations(id), body(url, "sha3", "ab")), 400,
                "'sha3' is not one of ['sha1', 'sha256', 'sha512', 'md5']");
        assertError(cinder.post(locations(id), "{\"url\":\"" + url + "\",\"validation_data\":{\"os_hash_value\":\"ab\"}}"),
                400, "'os_hash_algo' is a dependency of 'os_hash_value'");
        assertError(cinder.post(locations(id), "{\"url\":\"" + url + "\",\"validation_data\":{\"os_hash_algo\":\"md5\"}}"),
                400, "'os_hash_value' is a dependency of 'os_hash_algo'");
        assertError(cinder.post(locations(id), body(url, "sha256", "xyz")), 400,
                "os_hash_value (xyz) is not a valid hexadecimal value");
        assertError(cinder.post(locations(id), body(url, "sha256", "abcd")), 400,
                "os_hash_value: (abcd) is not the correct size for (sha256) (should be (32) bytes)");
        assertError(cinder.post(locations(id), "{\"url\":\"" + url + "\",\"validation_data\":null}"), 400,
                "None is not of type 'object'");
        assertError(cinder.post("/v2/images/" + UUID.randomUUID() + "/locations", body(url, null, null)), 404,
                "No image found");
        assertEquals("queued", owner.show(id).get("status").asText());
        int tasks = ferry.ferry().database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM tasks WHERE image_id = ?").bind(0, id).mapTo(Integer.class).one());
        assertEquals(0, tasks, "no task for a refused request");
    }

    @Test
    void theImportLockIsShared() {
        String id = owner.createRaw("");
        TaskRepository tasks = new TaskRepository(ferry.ferry().database().jdbi());
        ImageRepository images = new ImageRepository(ferry.ferry().database().jdbi());
        Instant now = ImageRepository.now();
        String live = UUID.randomUUID().toString();
        tasks.create(new Task(live, "api_image_import", Task.PROCESSING, "proj-a", id, "req-x", "u",
                "{\"image_id\":\"" + id + "\",\"import_req\":{\"method\":{\"name\":\"web-download\"}},\"backend\":[]}",
                null, "", null, now, now));
        assertTrue(images.setPropertyIfAbsent(id, "os_glance_import_task", live));
        assertError(cinder.post(locations(id), body(url, null, null)), 409, "Image has active task");

        // a lock whose task has not moved for two hours is stale: the location import takes it over
        ferry.ferry().database().jdbi().useHandle(h -> h.execute("UPDATE tasks SET updated_at = ? WHERE id = ?",
                java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).minusHours(3), live));
        accepted(cinder.post(locations(id), body(url, null, null)));
        awaitStatus(owner, id, "active");
        assertEquals("failure", tasks.find(live).orElseThrow().status());
        assertEquals("Expired lock preempted", tasks.find(live).orElseThrow().message());
    }

    @Test
    void deletingTheImageCancelsTheHash() {
        String slow = web.serveSlowly("/slow/vol.raw", DATA, 6000);
        String id = owner.createRaw("");
        accepted(cinder.post(locations(id), body(slow, null, null)));
        awaitStatus(owner, id, "active");
        assertEquals(204, owner.delete("/v2/images/" + id).status());
        TaskRepository tasks = new TaskRepository(ferry.ferry().database().jdbi());
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.forImage(id, Instant.now()).stream()
                .allMatch(Task::finished));
        Task t = tasks.forImage(id, Instant.now()).get(0);
        assertEquals("failure", t.status());
        assertTrue(t.message().contains("canceled"), t.message());
    }
}
