package org.ferry.api;

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

/** PUT /stage when enabled_import_methods leaves out glance-direct. */
class StageDisabledTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").put("enabled_import_methods", "[web-download, copy-image]"));

    @Test
    void stageIs404AndTheImageStaysQueued() {
        String id = create(ferry);
        var r = ferry.putData("/v2/images/" + id + "/stage", random(100));
        assertEquals(404, r.status(), r.text());
        assertTrue(r.text().contains("'glance-direct' method is not available at this site."), r.text());
        assertEquals("queued", show(ferry, id).get("status").asText());
        assertEquals(List.of(), traces(storeDir(ferry, "staging"), id));
    }

    @Test
    void theMethodCheckComesBeforeTheContentTypeAndTheImage() {
        var r = ferry.call("PUT", "/v2/images/0c7a2b7e-0000-4000-8000-000000000000/stage", "text/plain", "x".getBytes());
        assertEquals(404, r.status());
        assertTrue(r.text().contains("'glance-direct' method is not available at this site."), r.text());
    }

    @Test
    void plainUploadStillWorks() {
        String id = create(ferry);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/file", random(100)).status());
        assertEquals("active", show(ferry, id).get("status").asText());
    }

    @Test
    void importInfoListsOnlyTheConfiguredMethods() {
        var r = ferry.get("/v2/info/import");
        assertEquals(200, r.status());
        assertEquals("[\"web-download\",\"copy-image\"]", r.json().at("/import-methods/value").toString());
    }
}
