package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.catalog.Location;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.traces;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upload with x-openstack-base-image-ref (§3.1): the new image goes into every writable store holding the base image,
 * active as soon as the first one has it, the rest copied by an internal task with copy-image's bookkeeping.
 */
class BaseImageRefTest {
    private static final String BASE_REF = "x-openstack-base-image-ref";

    @TempDir
    static Path dir;
    static TestFerry ferry;
    /** A base image held by both stores. */
    static String both;

    @BeforeAll
    static void start() {
        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        TestFerry.section(c, "DEFAULT").put("enabled_backends", "fast:file, cheap:file, slow:file, web:http");
        TestFerry.section(c, "slow").put("filesystem_store_datadir", dir.resolve("slow").toString());
        ferry = TestFerry.start(dir, c);
        both = uploaded(ferry, random(2048));
        ImageFixtures.addCopy(ferry, both, "fast", "cheap");
        assertEquals("cheap,fast", show(ferry, both).get("stores").asText());
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    private static TestFerry.TestResponse upload(String id, byte[] data, String... headers) {
        return ferry.putData("/v2/images/" + id + "/file", data, headers);
    }

    private static JsonNode tasks(String id) {
        var r = ferry.get("/v2/images/" + id + "/tasks");
        assertEquals(200, r.status(), r.text());
        return r.json().get("tasks");
    }

    /** A plain single-store upload: the image is in {@code store} only and no task was made. */
    private static void assertOnlyIn(String id, String store) {
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertEquals(store, img.get("stores").asText());
        assertEquals(0, tasks(id).size(), tasks(id).toString());
        for (String other : List.of("fast", "cheap", "slow")) {
            if (!other.equals(store)) {
                assertEquals(List.of(), traces(storeDir(ferry, other), id), other);
            }
        }
    }

    @Test
    void baseInTwoStoresPutsTheImageInBoth() throws IOException {
        byte[] data = random(1_500_000);
        String id = create(ferry);
        var r = upload(id, data, BASE_REF, both);
        assertEquals(204, r.status(), r.text());
        String requestId = r.header("x-openstack-request-id");

        JsonNode now = show(ferry, id);
        assertEquals("active", now.get("status").asText(), "active as soon as the default store has the data");
        assertTrue(now.get("stores").asText().contains("fast"), now.toString());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode img = show(ferry, id);
            assertEquals("cheap,fast", img.get("stores").asText());
            assertEquals("", img.get("os_glance_importing_to_stores").asText());
            assertEquals("", img.get("os_glance_failed_import").asText());
            assertEquals("success", tasks(id).get(0).get("status").asText());
        });
        JsonNode img = show(ferry, id);
        assertFalse(img.has("os_glance_import_task"), "the copy released its lock: " + img);
        assertEquals(ImageFixtures.md5(data), img.get("checksum").asText());
        assertArrayEquals(data, Files.readAllBytes(storeDir(ferry, "cheap").resolve(id)));
        assertArrayEquals(data, Files.readAllBytes(storeDir(ferry, "fast").resolve(id)));
        assertEquals(List.of(id), traces(storeDir(ferry, "cheap"), id), "no temporary left in cheap");

        JsonNode tasks = tasks(id);
        assertEquals(1, tasks.size(), tasks.toString());
        JsonNode t = tasks.get(0);
        assertEquals("success", t.get("status").asText());
        assertEquals(requestId, t.get("request_id").asText());
        assertEquals("api_image_import", t.get("type").asText());
        assertEquals(id, t.get("image_id").asText());
        assertEquals(id, t.at("/result/image_id").asText());
        assertEquals("[\"cheap\"]", t.at("/input/backend").toString());
        assertEquals("Copied 1 MiB", t.get("message").asText(), "the progress message stays after success");
    }

    @Test
    void withoutTheDefaultStoreTheFirstHolderInConfigOrderTakesTheUpload() {
        String base = uploaded(ferry, random(100), "X-Image-Meta-Store", "slow");
        ImageFixtures.addCopy(ferry, base, "slow", "cheap");
        String id = create(ferry);
        assertEquals(204, upload(id, random(5000), BASE_REF, base).status());
        JsonNode now = show(ferry, id);
        assertEquals("active", now.get("status").asText());
        assertTrue(now.get("stores").asText().startsWith("cheap"), now.toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode img = show(ferry, id);
            assertEquals("cheap,slow", img.get("stores").asText());
            assertEquals("", img.get("os_glance_importing_to_stores").asText());
            assertEquals("success", tasks(id).get(0).get("status").asText());
        });
        assertEquals("[\"slow\"]", tasks(id).get(0).at("/input/backend").toString());
        assertEquals(List.of(), traces(storeDir(ferry, "fast"), id));
    }

    @Test
    void readOnlyStoresOfTheBaseAreSkipped() {
        String webOnly = create(ferry);
        ImageFixtures.repository(ferry).addLocation(webOnly, "http://127.0.0.1:9/" + webOnly, Map.of("store", "web"),
                "web", Location.ACTIVE);
        String id = create(ferry);
        assertEquals(204, upload(id, random(100), BASE_REF, webOnly).status());
        assertOnlyIn(id, "fast");

        String cheapAndWeb = create(ferry);
        assertEquals(204, upload(cheapAndWeb, random(100), "X-Image-Meta-Store", "cheap").status());
        ImageFixtures.repository(ferry).addLocation(cheapAndWeb, "http://127.0.0.1:9/" + cheapAndWeb,
                Map.of("store", "web"), "web", Location.ACTIVE);
        String id2 = create(ferry);
        assertEquals(204, upload(id2, random(100), BASE_REF, cheapAndWeb).status());
        assertOnlyIn(id2, "cheap");
    }

    @Test
    void theStoreHeaderWinsOverTheBaseImage() {
        String id = create(ferry);
        assertEquals(204, upload(id, random(100), BASE_REF, both, "X-Image-Meta-Store", "cheap").status());
        assertOnlyIn(id, "cheap");
        assertFalse(show(ferry, id).has("os_glance_importing_to_stores"));
    }

    @Test
    void aBaseOnlyInTheCheapStorePutsTheImageThereOnly() {
        String base = create(ferry);
        assertEquals(204, upload(base, random(100), "X-Image-Meta-Store", "cheap").status());
        String id = create(ferry);
        assertEquals(204, upload(id, random(300), BASE_REF, base).status());
        assertOnlyIn(id, "cheap");
    }

    @Test
    void aBaseOnlyInTheDefaultStoreIsAPlainUpload() {
        String base = uploaded(ferry, random(100));
        String id = create(ferry);
        assertEquals(204, upload(id, random(300), BASE_REF, base).status());
        assertOnlyIn(id, "fast");
    }

    @Test
    void anUnknownBaseFallsBackToTheDefaultStore() {
        for (String ref : new String[] {"3b1f6c0e-0000-4000-8000-00000000beef", "not-a-uuid", "",
                "x".repeat(300)}) {
            String id = create(ferry);
            var r = upload(id, random(100), BASE_REF, ref);
            assertEquals(204, r.status(), ref + ": " + r.text());
            assertOnlyIn(id, "fast");
        }
    }

    @Test
    void aBaseWithoutDataFallsBackToTheDefaultStore() {
        String base = create(ferry);
        String id = create(ferry);
        assertEquals(204, upload(id, random(100), BASE_REF, base).status());
        assertOnlyIn(id, "fast");
    }

    @Test
    void aBaseTheCallerCannotSeeFallsBackToTheDefaultStore() {
        String hidden = uploaded(ferry, random(100), as("proj-hidden", "member,reader"));
        ImageFixtures.addCopy(ferry, hidden, "fast", "cheap");
        String[] caller = as("proj-caller", "member,reader");
        String id = ImageFixtures.createWith(ferry, ImageFixtures.FORMATS, caller);
        assertEquals(204, upload(id, random(100), ImageFixtures.concat(caller, BASE_REF, hidden)).status());
        assertOnlyIn(id, "fast");
    }

    @Test
    void aVisibleBaseOfAnotherProjectIsFollowed() {
        String shared = uploaded(ferry, random(100), as("proj-pub", "member,reader"));
        ImageFixtures.addCopy(ferry, shared, "fast", "cheap");
        assertEquals(200, ferry.patch("/v2/images/" + shared, "[{\"op\":\"replace\",\"path\":\"/visibility\","
                + "\"value\":\"public\"}]").status());
        String[] caller = as("proj-user", "member,reader");
        String id = ImageFixtures.createWith(ferry, ImageFixtures.FORMATS, caller);
        assertEquals(204, upload(id, random(100), ImageFixtures.concat(caller, BASE_REF, shared)).status());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals("cheap,fast", show(ferry, id).get("stores").asText()));
        var tasks = ferry.get("/v2/images/" + id + "/tasks", caller).json().get("tasks");
        assertEquals(1, tasks.size());
        assertEquals("proj-user", tasks.get(0).get("owner").asText());
        assertEquals("proj-user-user", tasks.get(0).get("user_id").asText());
    }

    @Test
    void aFailedUploadStartsNoCopy() {
        String id = create(ferry);
        var r = upload(id, random(100), BASE_REF, both, "x-openstack-image-size", "99");
        assertEquals(400, r.status(), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertEquals(0, tasks(id).size());
        assertEquals(List.of(), traces(storeDir(ferry, "cheap"), id));
        assertEquals(List.of(), traces(storeDir(ferry, "fast"), id));
    }
}
