package org.ferry.routes;

import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "stores": [] is accepted (202) as Glance does, and the task then fails without moving any data. */
class EmptyStoresTest {
    @TempDir
    static Path dir;
    static TestFerry ferry;

    @BeforeAll
    static void start() {
        ferry = TestFerry.start(dir, TestFerry.anyPortConfig(dir));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void glanceDirectWithNoStoresFailsItsTaskAndKeepsTheStagedData() {
        String id = RouteKit.create(ferry);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/stage", ImageFixtures.random(4096)).status());
        RouteKit.accepted(ferry, id, "{\"method\":{\"name\":\"glance-direct\"},\"stores\":[]}");
        String message = RouteKit.failure(ferry, id);
        assertTrue(message.contains("no target store"), message);
        var img = RouteKit.show(ferry, id);
        assertEquals("uploading", img.get("status").asText());
        assertTrue(img.get(RouteKit.LOCK) == null);
        assertEquals("", img.get(RouteKit.IMPORTING).asText());
        assertTrue(RouteKit.files(RouteKit.staging(ferry)).contains(id), "staged data kept for a retry");
    }
}
