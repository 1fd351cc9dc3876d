package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.ferry.data.ImageFixtures.create;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.show;
import static org.ferry.data.ImageFixtures.storeDir;
import static org.ferry.data.ImageFixtures.traces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** [DEFAULT] image_size_cap, enforced while streaming: 413 and the image back to queued with nothing kept. */
class UploadCapTest {
    private static final int CAP = 1 << 20;

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").put("image_size_cap", String.valueOf(CAP)));

    private static void assertQueuedWithoutData(String id) {
        JsonNode img = show(ferry, id);
        assertEquals("queued", img.get("status").asText());
        assertTrue(img.get("size").isNull());
        for (String store : List.of("fast", "cheap", "staging")) {
            assertEquals(List.of(), traces(storeDir(ferry, store), id), store);
        }
    }

    @Test
    void anUploadOverTheCapIs413() {
        String id = create(ferry);
        var r = ferry.putData("/v2/images/" + id + "/file", random(CAP + 1));
        assertEquals(413, r.status(), r.text());
        assertQueuedWithoutData(id);
    }

    @Test
    void anUploadOverTheCapToAnotherStoreIs413Too() {
        String id = create(ferry);
        var r = ferry.putData("/v2/images/" + id + "/file", random(CAP + 4096), "X-Image-Meta-Store", "cheap");
        assertEquals(413, r.status(), r.text());
        assertQueuedWithoutData(id);
    }

    @Test
    void anUploadOfExactlyTheCapIsAccepted() {
        String id = create(ferry);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", random(CAP)).status());
        assertEquals(CAP, show(ferry, id).get("size").asLong());
    }

    @Test
    void stagingOverTheCapIs413AndRemovesTheStagedData() {
        String id = create(ferry);
        var r = ferry.putData("/v2/images/" + id + "/stage", random(CAP + 1));
        assertEquals(413, r.status(), r.text());
        assertQueuedWithoutData(id);
    }
}
