package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §1 (versions document, version negotiation), §10 request ids, §2.8 schemas. */
class VersionsApiTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient api = ApiClient.admin(ferry);

    private static List<String> ids(TestResponse r) {
        List<String> ids = new ArrayList<>();
        r.json().get("versions").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    @Test
    void rootIsMultipleChoicesWithTheVersionList() {
        TestResponse r = ferry.get("/");
        assertEquals(300, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        List<String> ids = ids(r);
        assertEquals("v2.17", ids.get(0));
        assertTrue(ids.containsAll(List.of("v2.15", "v2.13", "v2.12", "v2.8", "v2.7", "v2.3", "v2.0")), ids.toString());
        // no image cache: the cache-management versions are left out
        assertFalse(ids.contains("v2.14") || ids.contains("v2.16") || ids.contains("v2.18"), ids.toString());
        for (JsonNode v : r.json().get("versions")) {
            assertEquals(v.get("id").asText().equals("v2.17") ? "CURRENT" : "SUPPORTED", v.get("status").asText());
            JsonNode link = v.get("links").get(0);
            assertEquals("self", link.get("rel").asText());
            assertEquals(ferry.url() + "/v2/", link.get("href").asText());
        }
    }

    @Test
    void versionsPathIs200WithTheSameDocument() {
        TestResponse r = ferry.get("/versions");
        assertEquals(200, r.status(), r.text());
        assertEquals(ids(ferry.get("/")), ids(r));
    }

    @Test
    void unknownPrefixesGetTheVersionsDocument() {
        // /v2.14, /v2.16 and /v2.18 belong to the image cache, which Ferry does not list
        for (String path : List.of("/v3/x", "/v1/images", "/foo", "/v3", "/v2.14/images", "/v2.18/images")) {
            TestResponse r = ferry.get(path);
            assertEquals(300, r.status(), path + ": " + r.text());
            assertEquals("v2.17", ids(r).get(0), path);
        }
    }

    @Test
    void minorVersionPrefixesAreRewrittenToV2() {
        String id = api.createRaw("\"name\":\"negotiated\"");
        for (String prefix : List.of("/v2.5", "/v2.0", "/v2.17")) {
            TestResponse list = api.get(prefix + "/images");
            assertEquals(200, list.status(), prefix + ": " + list.text());
            assertTrue(list.json().has("images"), list.text());
            TestResponse one = api.get(prefix + "/images/" + id);
            assertEquals(200, one.status(), one.text());
            assertEquals("negotiated", one.json().get("name").asText());
        }
    }

    @Test
    void mediaTypeVersioningActsLikeThePrefix() {
        TestResponse r = ferry.get("/images", "Accept", "application/vnd.openstack.images-v2.5");
        assertEquals(200, r.status(), r.text());
        assertTrue(r.json().has("images"), r.text());
    }

    @Test
    void everyResponseCarriesAGeneratedRequestId() {
        List<TestResponse> responses = List.of(ferry.get("/"), ferry.get("/versions"), ferry.get("/v2/images"),
                ferry.get("/v2/nothing-here"), ferry.get("/v2/images/" + "0".repeat(8)),
                ferry.postJson("/v2/images", "{bad json"));
        List<String> seen = new ArrayList<>();
        for (TestResponse r : responses) {
            String id = r.header("x-openstack-request-id");
            assertNotNull(id, r.status() + " without request id");
            assertTrue(id.matches("req-[0-9a-f-]{36}"), id);
            assertFalse(seen.contains(id), "request id reused: " + id);
            seen.add(id);
        }
    }

    @Test
    void aClientRequestIdIsAdoptedWithTheReqPrefix() {
        assertEquals("req-abc-123", ferry.get("/v2/images", "X-Openstack-Request-ID", "abc-123")
                .header("x-openstack-request-id"));
        assertEquals("req-already", ferry.get("/v2/images", "X-Openstack-Request-ID", "req-already")
                .header("x-openstack-request-id"));
        String sixtyFour = "r".repeat(64);
        TestResponse ok = ferry.get("/v2/images", "X-Openstack-Request-ID", sixtyFour);
        assertEquals(200, ok.status(), ok.text());
        assertEquals("req-" + sixtyFour, ok.header("x-openstack-request-id"));
    }

    @Test
    void aRequestIdLongerThan64Is431() {
        TestResponse r = ferry.get("/v2/images", "X-Openstack-Request-ID", "x".repeat(65), "Accept", "application/json");
        assertEquals(431, r.status(), r.text());
        assertEquals("431 Request Header Fields Too Large", r.json().get("code").asText());
        String own = r.header("x-openstack-request-id");
        assertTrue(own != null && own.startsWith("req-") && !own.contains("xxxx"), own);
    }

    @Test
    void everySchemaIsServedWithItsName() {
        for (String name : List.of("image", "images", "member", "members", "task", "tasks")) {
            TestResponse r = api.get("/v2/schemas/" + name);
            assertEquals(200, r.status(), name + ": " + r.text());
            assertTrue(r.header("Content-Type").startsWith("application/json"));
            assertEquals(name, r.json().get("name").asText());
            assertTrue(r.json().get("properties").isObject(), name);
        }
    }

    @Test
    void theImageSchemaCarriesTheFormatsAndTypedExtraProperties() {
        JsonNode props = api.get("/v2/schemas/image").json().get("properties");
        List<String> disk = new ArrayList<>();
        props.get("disk_format").get("enum").forEach(v -> disk.add(v.isNull() ? null : v.asText()));
        assertTrue(disk.containsAll(List.of("raw", "qcow2", "iso", "ploop")) && disk.contains(null), disk.toString());
        List<String> container = new ArrayList<>();
        props.get("container_format").get("enum").forEach(v -> container.add(v.isNull() ? null : v.asText()));
        assertTrue(container.containsAll(List.of("bare", "ovf", "compressed")), container.toString());
        assertTrue(props.has("ramdisk_id") && props.get("ramdisk_id").has("pattern"), "schema-image.json loaded");
        assertTrue(api.get("/v2/schemas/images").json().at("/properties/images/items/properties").has("os_hidden"));
    }

    @Test
    void anUnknownSchemaIs404() {
        assertError(api.get("/v2/schemas/nope"), 404, "The resource could not be found.");
        assertEquals(404, api.get("/v2/schemas/image/extra").status());
    }
}
