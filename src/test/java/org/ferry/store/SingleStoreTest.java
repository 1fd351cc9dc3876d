package org.ferry.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;

import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.uploaded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ferry without enabled_backends: one legacy file store; everything multistore is off. */
class SingleStoreTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        TestFerry.section(c, "DEFAULT").remove("enabled_backends");
        c.remove("fast");
        c.remove("cheap");
        TestFerry.section(c, "glance_store").clear();
        TestFerry.section(c, "glance_store").put("filesystem_store_datadir", dir.resolve("images").toString());
    });

    @Test
    void storesInfoIs404() {
        for (String path : new String[] {"/v2/info/stores", "/v2/info/stores/detail"}) {
            var r = ferry.get(path);
            assertEquals(404, r.status(), path + ": " + r.text());
            assertTrue(r.text().contains("Multi backend is not supported at this site."), r.text());
        }
        assertEquals(404, ferry.get("/v2/info/stores/detail", ImageFixtures.as("p", "member,reader")).status(),
                "404 before the policy check");
    }

    @Test
    void importInfoStillWorks() {
        assertEquals(200, ferry.get("/v2/info/import").status());
    }

    @Test
    void uploadGoesToTheOneStoreAndShowsNoStoresField() throws Exception {
        byte[] data = random(4000);
        String id = uploaded(ferry, data);
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertFalse(img.has("stores"), "no stores field without multistore: " + img);
        assertArrayEquals(data, Files.readAllBytes(ferry.dir().resolve("images").resolve(id)));
        var r = ferry.get("/v2/images/" + id + "/file");
        assertEquals(200, r.status());
        assertArrayEquals(data, r.body());
    }

    @Test
    void storeAndBaseImageHeadersAreIgnored() {
        String id = create(ferry);
        var r = ferry.putData("/v2/images/" + id + "/file", random(10), "X-Image-Meta-Store", "nope",
                "x-openstack-base-image-ref", "0d5e8b8a-0000-4000-8000-000000000000");
        assertEquals(204, r.status(), r.text());
        assertTrue(Files.exists(ferry.dir().resolve("images").resolve(id)));
        assertEquals(0, ferry.get("/v2/images/" + id + "/tasks").json().get("tasks").size());
    }

    @Test
    void preferIs400() {
        String id = uploaded(ferry, random(10));
        var r = ferry.get("/v2/images/" + id + "/file?prefer=file");
        assertEquals(400, r.status(), r.text());
    }

    @Test
    void deleteFromStoreIs404() {
        String id = uploaded(ferry, random(10));
        var r = ferry.delete("/v2/stores/file/" + id);
        assertEquals(404, r.status(), r.text());
        assertTrue(Files.exists(ferry.dir().resolve("images").resolve(id)));
    }

    @Test
    void createAnswersWithoutStoreIds() {
        var r = ferry.postJson("/v2/images", ImageFixtures.FORMATS);
        assertEquals(201, r.status());
        assertEquals(null, r.header("OpenStack-image-store-ids"));
    }
}
