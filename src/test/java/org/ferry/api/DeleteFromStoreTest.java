package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.List;

import static org.ferry.data.ImageFixtures.as;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DELETE /v2/stores/{store}/{image} (§7.2) with three file stores: fast (default), cheap and slow. */
class DeleteFromStoreTest {
    private static final String[] OWNER = as("proj-o", "member,reader");

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        TestFerry.section(c, "DEFAULT").put("enabled_backends", "fast:file, cheap:file, slow:file");
        TestFerry.section(c, "slow").put("filesystem_store_datadir", dir.resolve("slow").toString());
    });

    /** An active image of proj-o with its data in fast and cheap. */
    private static String inTwoStores(byte[] data) {
        String id = uploaded(ferry, data, OWNER);
        ImageFixtures.addCopy(ferry, id, "fast", "cheap");
        assertEquals("cheap,fast", show(ferry, id).get("stores").asText());
        return id;
    }

    private static TestFerry.TestResponse deleteFrom(String store, String id, String... headers) {
        return ferry.delete("/v2/stores/" + store + "/" + id, headers);
    }

    @Test
    void removesOneStoresCopy() {
        byte[] data = random(3000);
        String id = inTwoStores(data);
        var r = deleteFrom("cheap", id);
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        assertFalse(Files.exists(storeDir(ferry, "cheap").resolve(id)), "the data left the cheap store");
        assertTrue(Files.exists(storeDir(ferry, "fast").resolve(id)));
        JsonNode img = show(ferry, id);
        assertEquals("fast", img.get("stores").asText());
        assertEquals("active", img.get("status").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body());
    }

    @Test
    void theDefaultStoresCopyCanGoToo() {
        byte[] data = random(100);
        String id = inTwoStores(data);
        assertEquals(204, deleteFrom("fast", id).status());
        assertFalse(Files.exists(storeDir(ferry, "fast").resolve(id)));
        assertEquals("cheap", show(ferry, id).get("stores").asText());
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body(), "served from cheap now");
    }

    @Test
    void theLastCopyIs403() {
        String id = inTwoStores(random(100));
        assertEquals(204, deleteFrom("cheap", id).status());
        var r = deleteFrom("fast", id);
        assertEquals(403, r.status(), r.text());
        assertTrue(r.text().contains("Cannot delete image data from the only store containing it."), r.text());
        assertTrue(Files.exists(storeDir(ferry, "fast").resolve(id)));
        assertEquals("fast", show(ferry, id).get("stores").asText());
    }

    @Test
    void aStoreWithoutTheImageIs404() {
        String id = inTwoStores(random(100));
        var r = deleteFrom("slow", id);
        assertEquals(404, r.status(), r.text());
        assertEquals("cheap,fast", show(ferry, id).get("stores").asText());
    }

    @Test
    void anImageWithOneCopyIs403EvenForAnotherStore() {
        String id = uploaded(ferry, random(100), OWNER);
        assertEquals(403, deleteFrom("cheap", id).status());
    }

    @Test
    void anUnknownStoreIs409() {
        String id = inTwoStores(random(100));
        var r = deleteFrom("nope", id);
        assertEquals(409, r.status(), r.text());
        assertTrue(r.text().contains("The selected store nope is not available on this node."), r.text());
        assertEquals(409, deleteFrom("nope", "9e8d7c6b-0000-4000-8000-000000000000").status(), "checked first");
    }

    @Test
    void reservedStoresAreNotTargets() {
        String id = inTwoStores(random(100));
        assertEquals(409, deleteFrom("os_glance_staging_store", id).status());
        assertEquals(409, deleteFrom("os_glance_tasks_store", id).status());
        assertEquals("cheap,fast", show(ferry, id).get("stores").asText());
    }

    @Test
    void anImageThatIsNotActiveIs409() {
        String queued = ImageFixtures.create(ferry, OWNER);
        var r = deleteFrom("fast", queued);
        assertEquals(409, r.status(), r.text());
        assertTrue(r.text().contains("It's not allowed to remove image data from store if image status is not "
                + "'active'"), r.text());

        String id = inTwoStores(random(100));
        assertEquals(204, ferry.postJson("/v2/images/" + id + "/actions/deactivate", "").status());
        assertEquals(409, deleteFrom("cheap", id).status());
        assertTrue(Files.exists(storeDir(ferry, "cheap").resolve(id)));
    }

    @Test
    void onlyAdminsMayDelete() {
        String id = inTwoStores(random(100));
        var member = deleteFrom("cheap", id, OWNER);
        assertEquals(403, member.status(), member.text());
        assertEquals(403, deleteFrom("cheap", id, as("proj-o", "reader")).status());
        assertEquals(404, deleteFrom("cheap", id, as("proj-x", "member,reader")).status(), "not visible: 404");
        assertEquals("cheap,fast", show(ferry, id).get("stores").asText());
        assertTrue(Files.exists(storeDir(ferry, "cheap").resolve(id)));
        assertEquals(204, deleteFrom("cheap", id, as("proj-x", "admin")).status(), "an admin of any project");
    }

    @Test
    void unknownImageIs404() {
        assertEquals(404, deleteFrom("fast", "9e8d7c6b-0000-4000-8000-000000000000").status());
    }

    @Test
    void theImageDeletedAfterwardsLeavesNoData() {
        String id = inTwoStores(random(100));
        assertEquals(204, deleteFrom("cheap", id).status());
        assertEquals(204, ferry.delete("/v2/images/" + id).status());
        for (String store : List.of("fast", "cheap", "slow")) {
            assertEquals(List.of(), ImageFixtures.traces(storeDir(ferry, store), id), store);
        }
    }
}
