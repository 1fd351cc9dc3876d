package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §2.1–§2.4: POST /v2/images. */
class ImageCreateTest {
    static final List<String> CORE_KEYS = List.of("id", "name", "status", "visibility", "protected", "os_hidden",
            "owner", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size", "disk_format",
            "container_format", "min_disk", "min_ram", "created_at", "updated_at", "tags", "self", "file", "schema");

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient member = ApiClient.member(ferry, "proj-create");

    @Test
    void aNewImageHasGlanceDefaultsAndEveryCoreKey() {
        TestResponse r = member.post("/v2/images", "{}");
        assertEquals(201, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode img = r.json();
        for (String k : CORE_KEYS) {
            assertTrue(img.has(k), "missing core key " + k + ": " + img);
        }
        String id = img.get("id").asText();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
        assertEquals("queued", img.get("status").asText());
        assertEquals("shared", img.get("visibility").asText());
        assertEquals("proj-create", img.get("owner").asText());
        assertFalse(img.get("protected").asBoolean());
        assertFalse(img.get("os_hidden").asBoolean());
        assertEquals(0, img.get("min_disk").asInt());
        assertEquals(0, img.get("min_ram").asInt());
        assertTrue(img.get("min_disk").isInt() && img.get("min_ram").isInt());
        for (String k : List.of("name", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
                "disk_format", "container_format")) {
            assertTrue(img.get(k).isNull(), k + " should be null: " + img.get(k));
        }
        assertEquals(0, img.get("tags").size());
        assertEquals("/v2/images/" + id, img.get("self").asText());
        assertEquals("/v2/images/" + id + "/file", img.get("file").asText());
        assertEquals("/v2/schemas/image", img.get("schema").asText());
        assertTrue(img.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                img.get("created_at").asText());
        assertEquals(img.get("created_at"), img.get("updated_at"));
        assertFalse(img.has("locations") || img.has("direct_url") || img.has("stores"), img.toString());
    }

    @Test
    void createAnswersLocationImportMethodsAndUserStoreIds() {
        TestResponse r = member.post("/v2/images", "{\"name\":\"headers\"}");
        assertEquals(201, r.status(), r.text());
        String id = r.json().get("id").asText();
        assertEquals(ferry.url() + "/v2/images/" + id, r.header("Location"));
        assertEquals("glance-direct,web-download,copy-image,glance-download",
                r.header("OpenStack-image-import-methods"));
        assertEquals("fast,cheap", r.header("OpenStack-image-store-ids"));
        assertFalse(r.header("OpenStack-image-store-ids").contains("os_glance"));
    }

    @Test
    void givenFieldsAreKeptAndExtraPropertiesFlattened() {
        String id = UUID.randomUUID().toString();
        String ramdisk = UUID.randomUUID().toString();
        JsonNode img = member.create("{\"id\":\"" + id + "\",\"name\":\"cirros\",\"disk_format\":\"qcow2\","
                + "\"container_format\":\"bare\",\"min_disk\":2,\"min_ram\":512,\"protected\":true,\"os_hidden\":true,"
                + "\"visibility\":\"private\",\"tags\":[\"a\",\"b\",\"a\"],\"hw_disk_bus\":\"scsi\","
                + "\"ramdisk_id\":\"" + ramdisk + "\",\"kernel_id\":null}");
        assertEquals(id, img.get("id").asText());
        assertEquals("cirros", img.get("name").asText());
        assertEquals("qcow2", img.get("disk_format").asText());
        assertEquals("bare", img.get("container_format").asText());
        assertEquals(2, img.get("min_disk").asInt());
        assertEquals(512, img.get("min_ram").asInt());
        assertTrue(img.get("protected").asBoolean());
        assertTrue(img.get("os_hidden").asBoolean());
        assertEquals("private", img.get("visibility").asText());
        assertEquals(2, img.get("tags").size(), "duplicate tags collapse: " + img.get("tags"));
        assertEquals("scsi", img.get("hw_disk_bus").asText());
        assertEquals(ramdisk, img.get("ramdisk_id").asText());
        assertEquals(img, member.show(id).deepCopy());
    }

    @Test
    void readOnlyAttributesAre403() {
        Map<String, String> bodies = Map.ofEntries(
                Map.entry("self", "\"/v2/images/x\""), Map.entry("file", "\"/v2/images/x/file\""),
                Map.entry("schema", "\"/v2/schemas/image\""), Map.entry("stores", "\"fast\""),
                Map.entry("direct_url", "\"file:///x\""), Map.entry("status", "\"active\""),
                Map.entry("checksum", "\"0123456789abcdef0123456789abcdef\""), Map.entry("size", "5"),
                Map.entry("virtual_size", "5"), Map.entry("os_hash_algo", "\"sha512\""),
                Map.entry("os_hash_value", "\"abc\""), Map.entry("created_at", "\"2020-01-01T00:00:00Z\""),
                Map.entry("updated_at", "\"2020-01-01T00:00:00Z\""));
        bodies.forEach((key, value) -> assertError(member.post("/v2/images", "{\"" + key + "\":" + value + "}"),
                403, "Attribute '" + key + "' is read-only."));
    }

    @Test
    void reservedAttributesAre403() {
        Map<String, String> bodies = Map.of("os_glance_foo", "\"x\"", "os_glance_import_task", "\"t\"",
                "location", "\"file:///x\"", "deleted", "\"true\"", "deleted_at", "\"2020-01-01\"",
                "locations", "[]");
        bodies.forEach((key, value) -> assertError(admin.post("/v2/images", "{\"" + key + "\":" + value + "}"),
                403, "Attribute '" + key + "' is reserved."));
    }

    @Test
    void schemaViolationsAre400() {
        assertError(member.post("/v2/images", "{\"disk_format\":\"floppy\"}"), 400, "'floppy' is not one of");
        assertError(member.post("/v2/images", "{\"container_format\":\"crate\"}"), 400, "'crate' is not one of");
        assertError(member.post("/v2/images", "{\"visibility\":\"everyone\"}"), 400, "is not one of");
        assertError(member.post("/v2/images", "{\"name\":\"" + "n".repeat(256) + "\"}"), 400, "is too long");
        assertError(member.post("/v2/images", "{\"min_ram\":\"big\"}"), 400, "is not of type 'integer'");
        assertError(member.post("/v2/images", "{\"min_disk\":-1}"), 400, "less than the minimum");
        assertError(member.post("/v2/images", "{\"protected\":\"yes\"}"), 400, "is not of type 'boolean'");
        assertError(member.post("/v2/images", "{\"id\":\"not-a-uuid\"}"), 400, "does not match");
        assertError(member.post("/v2/images", "{\"tags\":[1]}"), 400, "is not of type 'string'");
    }

    @Test
    void aNonStringExtraValueIs400() {
        assertError(member.post("/v2/images", "{\"hw_cpu_cores\":4}"), 400,
                "Provided object does not match schema 'image': 4 is not of type 'string'");
        assertError(member.post("/v2/images", "{\"flag\":true}"), 400, "is not of type 'string'");
        assertError(member.post("/v2/images", "{\"nested\":{\"a\":\"b\"}}"), 400, "is not of type 'string'");
    }

    @Test
    void aCustomKeyLongerThan255Is400() {
        assertError(member.post("/v2/images", "{\"" + "k".repeat(256) + "\":\"v\"}"), 400,
                "Custom property should not be greater than 255 characters.");
        assertEquals(201, member.post("/v2/images", "{\"" + "k".repeat(255) + "\":\"v\"}").status());
    }

    @Test
    void typedExtraPropertiesFollowSchemaImageJson() {
        assertError(member.post("/v2/images", "{\"ramdisk_id\":\"not-a-uuid\"}"), 400, "does not match");
        assertError(member.post("/v2/images", "{\"kernel_id\":\"1-1-1-1-1\"}"), 400, "does not match");
        assertError(member.post("/v2/images", "{\"cinder_encryption_key_deletion_policy\":\"never\"}"), 400,
                "is not one of");
        assertEquals(201, member.post("/v2/images",
                "{\"cinder_encryption_key_deletion_policy\":\"do_not_delete\"}").status());
    }

    @Test
    void aDuplicateIdIs409() {
        String id = UUID.randomUUID().toString();
        member.create("{\"id\":\"" + id + "\"}");
        assertError(member.post("/v2/images", "{\"id\":\"" + id + "\"}"), 409, id);
        // another project may not reuse it either, and the original is untouched
        assertEquals(409, ApiClient.member(ferry, "proj-other").post("/v2/images", "{\"id\":\"" + id + "\"}").status());
        assertEquals("proj-create", member.show(id).get("owner").asText());
    }

    @Test
    void ownershipOfAnotherProjectIsAdminOnly() {
        assertError(member.post("/v2/images", "{\"owner\":\"proj-victim\"}"), 403,
                "You are not permitted to create images owned by 'proj-victim'.");
        assertEquals("proj-create", member.create("{\"owner\":\"proj-create\"}").get("owner").asText());
        assertEquals("proj-victim", admin.create("{\"owner\":\"proj-victim\"}").get("owner").asText());
    }

    @Test
    void publicImagesAreAdminOnlyCommunityIsNot() {
        assertEquals(403, member.post("/v2/images", "{\"visibility\":\"public\"}").status());
        assertEquals("public", admin.create("{\"visibility\":\"public\"}").get("visibility").asText());
        assertEquals("community", member.create("{\"visibility\":\"community\"}").get("visibility").asText());
        assertEquals("private", member.create("{\"visibility\":\"private\"}").get("visibility").asText());
    }

    @Test
    void aReaderCannotCreate() {
        assertEquals(403, ApiClient.as(ferry, "proj-create", "reader").post("/v2/images", "{}").status());
    }

    @Test
    void malformedOrNonObjectBodiesAre400() {
        assertError(member.post("/v2/images", "{\"name\": "), 400, "Malformed JSON in request body.");
        assertError(member.post("/v2/images", "not json at all"), 400, "Malformed JSON in request body.");
        assertEquals(400, member.post("/v2/images", "[]").status());
        assertEquals(400, member.post("/v2/images", "\"image\"").status());
        assertError(member.post("/v2/images", null), 400, "Body expected in request.");
    }

    @Test
    void fourByteCharactersAre400() {
        assertEquals(400, member.post("/v2/images", "{\"note\":\"\uD83D\uDE00\"}").status());
    }
}
