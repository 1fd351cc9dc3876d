package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.IMPORTING;
import static org.ferry.routes.RouteKit.LOCK;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertNoTraces;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.failure;
import static org.ferry.routes.RouteKit.importImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.storeDir;
import static org.ferry.routes.RouteKit.tasks;
import static org.ferry.routes.RouteKit.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** copy-image (§4.2 #10, #18, #23, #24; §4.4): admin only, the image stays active, new copies only. */
class CopyImageTest {
    static final String[] ADMIN = {"X-Project-Id", "admin-project", "X-User-Id", "admin", "X-Roles", "admin,member,reader"};
    static final String[] OWNER = {"X-Project-Id", "cp", "X-User-Id", "cp-user", "X-Roles", "member,reader"};
    static final String TO_CHEAP = "{\"method\":{\"name\":\"copy-image\"},\"stores\":[\"cheap\"]}";
    static final String TO_ALL = "{\"method\":{\"name\":\"copy-image\"},\"all_stores\":true}";

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass().anyPort();

    @Test
    void adminCopiesFromFastToCheap() {
        byte[] data = random(2_500_000);
        String id = uploaded(ferry, data, OWNER);
        assertEquals("fast", show(ferry, id, OWNER).get("stores").asText());

        accepted(ferry, id, TO_CHEAP, ADMIN);
        JsonNode during = show(ferry, id, OWNER);
        assertEquals("active", during.get("status").asText(), "copy-image never leaves active");
        JsonNode task = awaitTask(ferry, id, "success", ADMIN);
        assertEquals("copy-image", task.get("input").get("import_req").get("method").get("name").asText());
        JsonNode img = show(ferry, id, OWNER);
        assertActive(img, data, "cheap,fast");
        assertEquals("", img.get(FAILED).asText());
        assertStagingClean(ferry, id);
        assertTrue(RouteKit.files(storeDir(ferry, "cheap")).contains(id));
        assertArrayEquals(data, readStoreFile("cheap", id));

        // already everywhere: all_stores has nothing to do (202, no task); naming a holding store is a 400
        int before = tasks(ferry, id, ADMIN).size();
        var r = importImage(ferry, id, TO_ALL, ADMIN);
        assertEquals(202, r.status(), r.text());
        assertEquals(before, tasks(ferry, id, ADMIN).size());
        assertFalse(show(ferry, id, OWNER).has(LOCK));
        r = importImage(ferry, id, TO_CHEAP, ADMIN);
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("Image is already present at store 'cheap'"), r.text());
        r = importImage(ferry, id, "{\"method\":{\"name\":\"copy-image\"}}", ADMIN);
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("Image is already present at store 'fast'"), r.text());
    }

    @Test
    void allStoresCopiesOnlyWhereTheImageIsMissing() {
        byte[] data = random(70_000);
        String id = uploaded(ferry, data, OWNER);
        accepted(ferry, id, TO_ALL, ADMIN);
        JsonNode task = awaitTask(ferry, id, "success", ADMIN);
        assertEquals("[\"cheap\"]", task.get("input").get("backend").toString());
        assertActive(show(ferry, id, OWNER), data, "cheap,fast");
    }

    @Test
    void onlyAdminsMayCopy() {
        String id = uploaded(ferry, random(1000), OWNER);
        var r = importImage(ferry, id, TO_CHEAP, OWNER);
        assertEquals(403, r.status(), r.text());
        assertEquals(0, tasks(ferry, id, OWNER).size());
        assertEquals("fast", show(ferry, id, OWNER).get("stores").asText());
    }

    @Test
    void aFailedCopyLeavesTheImageActiveWhereItWas() throws Exception {
        byte[] data = random(300_000);
        String id = uploaded(ferry, data, OWNER);
        Path cheap = storeDir(ferry, "cheap");
        Path away = cheap.resolveSibling("cheap.away");
        Files.move(cheap, away);
        Files.writeString(cheap, "not a directory");
        try {
            accepted(ferry, id, TO_CHEAP, ADMIN);
            String m = failure(ferry, id, ADMIN);
            assertTrue(m.contains("store cheap"), m);
        } finally {
            Files.delete(cheap);
            Files.move(away, cheap);
        }
        JsonNode img = show(ferry, id, OWNER);
        assertActive(img, data, "fast");
        assertEquals("cheap", img.get(FAILED).asText());
        assertEquals("", img.get(IMPORTING).asText());
        assertStagingClean(ferry, id);
        assertNoTraces(cheap, id);
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file", OWNER).body());

        // the store works again: the copy can be repeated and clears the failed list
        accepted(ferry, id, TO_CHEAP, ADMIN);
        awaitTask(ferry, id, "success", ADMIN);
        img = show(ferry, id, OWNER);
        assertActive(img, data, "cheap,fast");
        assertEquals("", img.get(FAILED).asText());
    }

    private static byte[] readStoreFile(String store, String id) {
        try {
            return Files.readAllBytes(storeDir(ferry, store).resolve(id));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
