package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.ferry.data.ImageFixtures.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery (§6) with three stores: fast (file, default), cheap (file) and web (read-only http).
 * The single-store 404s are in {@code org.ferry.store.SingleStoreTest}.
 */
class InfoApiTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c -> {
        TestFerry.section(c, "DEFAULT").put("enabled_backends", "fast:file, cheap:file, web:http");
        TestFerry.section(c, "fast").put("filesystem_store_chunk_size", "131072");
        TestFerry.section(c, "cheap").put("filesystem_thin_provisioning", "true");
    });

    private static List<String> ids(JsonNode stores) {
        List<String> ids = new ArrayList<>();
        stores.forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void importMethods() {
        var r = ferry.get("/v2/info/import", as("anyone", "reader"));
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode m = r.json().get("import-methods");
        assertEquals("Import methods available.", m.get("description").asText());
        assertEquals("array", m.get("type").asText());
        assertEquals("[\"glance-direct\",\"web-download\",\"copy-image\",\"glance-download\"]",
                m.get("value").toString());
    }

    @Test
    void storesInConfigOrderWithStringFlags() {
        var r = ferry.get("/v2/info/stores", as("anyone", "reader"));
        assertEquals(200, r.status(), r.text());
        JsonNode stores = r.json().get("stores");
        assertEquals(List.of("fast", "cheap", "web"), ids(stores));
        JsonNode fast = stores.get(0);
        assertEquals("Fast store", fast.get("description").asText());
        assertTrue(fast.get("default").isTextual(), "\"true\" as a string, not a boolean");
        assertEquals("true", fast.get("default").asText());
        assertFalse(fast.has("read-only"));
        JsonNode cheap = stores.get(1);
        assertEquals("Cheap store", cheap.get("description").asText());
        assertFalse(cheap.has("default"));
        assertFalse(cheap.has("read-only"));
        JsonNode web = stores.get(2);
        assertEquals("true", web.get("read-only").asText());
        assertTrue(web.get("read-only").isTextual());
        assertFalse(web.has("default"));
        assertFalse(web.has("description"), "no store_description, no key: " + web);
        for (JsonNode s : stores) {
            assertFalse(s.has("type") || s.has("weight") || s.has("properties"), "no detail fields: " + s);
        }
    }

    @Test
    void reservedStoresAreNeverListed() {
        for (String path : List.of("/v2/info/stores", "/v2/info/stores/detail")) {
            for (String id : ids(ferry.get(path).json().get("stores"))) {
                assertFalse(id.startsWith("os_glance_"), path + " lists " + id);
            }
        }
    }

    @Test
    void detailForAnAdmin() {
        var r = ferry.get("/v2/info/stores/detail");
        assertEquals(200, r.status(), r.text());
        JsonNode stores = r.json().get("stores");
        assertEquals(List.of("fast", "cheap", "web"), ids(stores));

        JsonNode fast = stores.get(0);
        assertEquals("file", fast.get("type").asText());
        assertEquals(100, fast.get("weight").asInt());
        assertTrue(fast.get("weight").isInt());
        assertEquals("true", fast.get("default").asText());
        assertEquals("Fast store", fast.get("description").asText());
        JsonNode fp = fast.get("properties");
        assertEquals(ferry.dir().resolve("fast").toAbsolutePath().normalize().toString(), fp.get("data_dir").asText());
        assertEquals(131072, fp.get("chunk_size").asInt());
        assertFalse(fp.get("thin_provisioning").asBoolean());
        assertFalse(fp.has("datadir"), "the api-ref sample's key is wrong; Glance says data_dir");

        JsonNode cheap = stores.get(1);
        assertEquals(10, cheap.get("weight").asInt());
        assertEquals(65536, cheap.at("/properties/chunk_size").asInt());
        assertTrue(cheap.at("/properties/thin_provisioning").asBoolean());

        JsonNode web = stores.get(2);
        assertEquals("http", web.get("type").asText());
        assertEquals(0, web.get("weight").asInt());
        assertEquals("true", web.get("read-only").asText());
        assertEquals(0, web.get("properties").size());
        assertTrue(web.get("properties").isObject());
    }

    @Test
    void detailIsForAdminsAndServicesOnly() {
        assertEquals(403, ferry.get("/v2/info/stores/detail", as("p1", "member,reader")).status());
        assertEquals(403, ferry.get("/v2/info/stores/detail", as("p1", "reader")).status());
        var service = ferry.get("/v2/info/stores/detail", as("service-project", "service"));
        assertEquals(200, service.status(), service.text());
        assertEquals(List.of("fast", "cheap", "web"), ids(service.json().get("stores")));
        assertEquals(200, ferry.get("/v2/info/stores", as("p1", "member,reader")).status());
    }

    @Test
    void usageIsEmptyWithoutKeystoneLimits() {
        var r = ferry.get("/v2/info/usage", as("p1", "reader"));
        assertEquals(200, r.status(), r.text());
        assertEquals("{\"usage\":{}}", r.json().toString());
    }

    @Test
    void infoIsReadOnly() {
        var r = ferry.delete("/v2/info/stores");
        assertEquals(405, r.status());
        assertEquals("GET", r.header("Allow"));
        assertEquals(405, ferry.postJson("/v2/info/import", "{}").status());
    }

    @Test
    void versionedPrefixesReachDiscovery() {
        assertEquals(200, ferry.get("/v2.8/info/stores").status());
        assertEquals(200, ferry.get("/v2.6/info/import").status());
    }
}
