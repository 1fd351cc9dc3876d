package org.ferry.routes;

import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "stores": [] is accepted (202) as Glance does, and the task then fails without moving any data. */
class EmptyStoresTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass().anyPort();

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
