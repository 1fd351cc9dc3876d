package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.ferry.testing.ApiClient.V20;
import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §2.6: PATCH /v2/images/{id}. */
class ImagePatchTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient alice = ApiClient.member(ferry, "proj-a");

    static JsonNode ok(TestResponse r) {
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        return r.json();
    }

    @Test
    void v21OperationsAsGlanceclientSendsThem() {
        String id = alice.createRaw("\"name\":\"before\",\"os_distro\":\"cirros\",\"os_version\":\"0.5\"");
        JsonNode img = ok(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"after\"},"
                + "{\"op\":\"add\",\"path\":\"/hw_disk_bus\",\"value\":\"scsi\"},"
                + "{\"op\":\"replace\",\"path\":\"/os_distro\",\"value\":\"ubuntu\"},"
                + "{\"op\":\"remove\",\"path\":\"/os_version\"},"
                + "{\"op\":\"replace\",\"path\":\"/min_ram\",\"value\":256},"
                + "{\"op\":\"replace\",\"path\":\"/tags\",\"value\":[\"x\",\"y\",\"x\"]},"
                + "{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"community\"},"
                + "{\"op\":\"replace\",\"path\":\"/protected\",\"value\":true},"
                + "{\"op\":\"add\",\"path\":\"/os_hidden\",\"value\":true}]"));
        assertEquals("after", img.get("name").asText());
        assertEquals("scsi", img.get("hw_disk_bus").asText());
        assertEquals("ubuntu", img.get("os_distro").asText());
        assertFalse(img.has("os_version"), img.toString());
        assertEquals(256, img.get("min_ram").asInt());
        assertEquals(2, img.get("tags").size());
        assertEquals("community", img.get("visibility").asText());
        assertTrue(img.get("protected").asBoolean() && img.get("os_hidden").asBoolean());
        assertEquals(img, alice.show(id));
        ok(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":null}]"));
        assertTrue(alice.show(id).get("name").isNull());
    }

    @Test
    void v20DraftFourOperationsAsTempestSendsThem() {
        String id = alice.createRaw("\"os_version\":\"1\"");
        JsonNode img = ok(alice.patch(id, V20, "[{\"add\":\"/hw_vif_model\",\"value\":\"virtio\"},"
                + "{\"replace\":\"/name\",\"value\":\"draft4\"},{\"remove\":\"/os_version\"}]"));
        assertEquals("virtio", img.get("hw_vif_model").asText());
        assertEquals("draft4", img.get("name").asText());
        assertFalse(img.has("os_version"));
    }

    @Test
    void anotherMediaTypeIs415WithAcceptPatch() {
        String id = alice.createRaw(null);
        for (String type : List.of("application/json", "application/json-patch+json", "text/plain")) {
            TestResponse r = alice.patch(id, type, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]");
            assertEquals(415, r.status(), type + ": " + r.text());
            assertEquals("application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch",
                    r.header("Accept-Patch"));
        }
        // the media type is checked before the body is read
        assertEquals(415, alice.patch(id, "application/json", "not json").status());
        assertTrue(alice.show(id).get("name").isNull());
    }

    @Test
    void malformedPatchDocumentsAre400() {
        String id = alice.createRaw(null);
        assertError(alice.patch(id, "{\"op\":\"add\",\"path\":\"/a\",\"value\":\"b\"}"), 400,
                "Request body must be a JSON array of operation objects.");
        assertError(alice.patch(id, "[{\"op\": "), 400, "Malformed JSON in request body.");
        assertEquals(400, alice.patch(id, "[\"add\"]").status());
        assertEquals(400, alice.patch(id, "[{\"path\":\"/name\",\"value\":\"x\"}]").status());
        assertEquals(400, alice.patch(id, "[{\"op\":\"move\",\"path\":\"/name\",\"value\":\"x\"}]").status());
        assertEquals(400, alice.patch(id, "[{\"op\":\"replace\",\"value\":\"x\"}]").status());
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/k\"}]"), 400,
                "Operation \"add\" requires a member named \"value\".");
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\"}]"), 400,
                "Operation \"replace\" requires a member named \"value\".");
        assertEquals(400, alice.patch(id, V20, "[{\"value\":\"x\"}]").status());
        assertEquals(400, alice.patch(id, V20, "[{\"add\":\"/a\",\"replace\":\"/a\",\"value\":\"x\"}]").status());
        assertError(alice.patch(id, V20, "[{\"add\":\"/k\"}]"), 400, "requires a member named \"value\"");
    }

    @Test
    void badPointersAndDeepPathsAre400() {
        String id = alice.createRaw(null);
        for (String path : List.of("name", "//name", "/name/", "/", "/na~2me")) {
            assertEquals(400, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"x\"}]")
                    .status(), path);
        }
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":\"x\"}]"), 400,
                "Invalid JSON pointer for this resource: '/a/b'");
        assertEquals(400, alice.patch(id, "[{\"op\":\"remove\",\"path\":\"/tags/0\"}]").status());
        // ~1 is "/": a legal one-segment pointer
        JsonNode img = ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/trait:a~1b\",\"value\":\"v\"}]"));
        assertEquals("v", img.get("trait:a/b").asText());
    }

    @Test
    void readOnlyAttributesAre403ForEveryOp() {
        String id = alice.createRaw(null);
        for (String attr : List.of("status", "checksum", "size", "virtual_size", "os_hash_algo", "os_hash_value",
                "created_at", "updated_at", "id", "self", "file", "schema", "direct_url", "stores")) {
            String v = List.of("size", "virtual_size").contains(attr) ? "1" : "\"x\"";
            for (String op : List.of("add", "replace")) {
                assertError(alice.patch(id, "[{\"op\":\"" + op + "\",\"path\":\"/" + attr + "\",\"value\":" + v + "}]"),
                        403, "Attribute '" + attr + "' is read-only.");
            }
            assertError(alice.patch(id, "[{\"op\":\"remove\",\"path\":\"/" + attr + "\"}]"), 403, "read-only");
        }
    }

    @Test
    void reservedAttributesAre403ForEveryOpEvenForAdmin() {
        String id = alice.createRaw(null);
        for (String attr : List.of("os_glance_foo", "os_glance_import_task", "location", "deleted", "deleted_at")) {
            for (String op : List.of("add", "replace")) {
                assertError(admin.patch(id, "[{\"op\":\"" + op + "\",\"path\":\"/" + attr + "\",\"value\":\"x\"}]"),
                        403, "Attribute '" + attr + "' is reserved.");
            }
            assertError(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/" + attr + "\"}]"), 403, "is reserved.");
        }
        assertError(admin.patch(id, V20, "[{\"add\":\"/os_glance_x\",\"value\":\"x\"}]"), 403, "is reserved.");
    }

    @Test
    void locationsAreInvisibleSoTheirPatchesAre403() {
        String id = alice.createRaw(null);
        String msg = "It's not allowed to add/update/remove locations if locations are invisible.";
        assertError(admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[]}]"), 403, msg);
        assertError(admin.patch(id, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":"
                + "{\"url\":\"file:///x\",\"metadata\":{}}}]"), 403, msg);
        assertError(admin.patch(id, "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]"), 403, msg);
        assertEquals(400, admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/locations/0\",\"value\":{}}]")
                .status(), "replace takes the whole list");
    }

    @Test
    void replacingAMissingExtraPropertyIs409() {
        String id = alice.createRaw(null);
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/nope\",\"value\":\"x\"}]"), 409,
                "Property nope does not exist.");
        assertError(alice.patch(id, V20, "[{\"replace\":\"/nope\",\"value\":\"x\"}]"), 409, "does not exist");
    }

    @Test
    void v20AddOfAnExistingAttributeIs409ButV21AddOverwrites() {
        String id = alice.createRaw("\"os_distro\":\"cirros\"");
        assertError(alice.patch(id, V20, "[{\"add\":\"/os_distro\",\"value\":\"ubuntu\"}]"), 409,
                "Property os_distro already present.");
        assertError(alice.patch(id, V20, "[{\"add\":\"/name\",\"value\":\"n\"}]"), 409, "Property name already present.");
        assertEquals("cirros", alice.show(id).get("os_distro").asText());
        assertEquals("ubuntu", ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/os_distro\",\"value\":\"ubuntu\"}]"))
                .get("os_distro").asText());
        assertEquals("n", ok(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/name\",\"value\":\"n\"}]"))
                .get("name").asText());
    }

    @Test
    void removingACoreAttributeIs403AMissingPropertyIs409() {
        String id = alice.createRaw(null);
        for (String attr : List.of("name", "visibility", "min_disk", "tags", "disk_format", "owner")) {
            assertError(alice.patch(id, "[{\"op\":\"remove\",\"path\":\"/" + attr + "\"}]"), 403,
                    "Property " + attr + " may not be removed.");
        }
        assertError(alice.patch(id, "[{\"op\":\"remove\",\"path\":\"/absent\"}]"), 409,
                "Property absent does not exist.");
    }

    @Test
    void onlyAdminChangesTheOwnerWithAddOrReplace() {
        String id = alice.createRaw(null);
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/owner\",\"value\":\"proj-b\"}]"), 403,
                "Owner can't be updated by non admin.");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/owner\",\"value\":\"proj-b\"}]"), 403,
                "Owner can't be updated by non admin.");
        assertEquals("proj-a", alice.show(id).get("owner").asText());
        assertEquals("proj-b", ok(admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/owner\",\"value\":\"proj-b\"}]"))
                .get("owner").asText());
        assertEquals(404, alice.get("/v2/images/" + id).status(), "shared image of proj-b, no membership");
    }

    @Test
    void formatsChangeOnlyWhileQueued() {
        String queued = alice.createRaw(null);
        JsonNode img = ok(alice.patch(queued, "[{\"op\":\"replace\",\"path\":\"/disk_format\",\"value\":\"qcow2\"},"
                + "{\"op\":\"replace\",\"path\":\"/container_format\",\"value\":\"ovf\"}]"));
        assertEquals("qcow2", img.get("disk_format").asText());
        String active = alice.createActive(null, 1024);
        assertError(alice.patch(active, "[{\"op\":\"replace\",\"path\":\"/disk_format\",\"value\":\"qcow2\"}]"), 403,
                "Attribute disk_format can be only replaced for a queued image.");
        assertError(admin.patch(active, "[{\"op\":\"replace\",\"path\":\"/container_format\",\"value\":\"ovf\"}]"),
                403, "Attribute container_format can be only replaced for a queued image.");
        assertEquals("raw", alice.show(active).get("disk_format").asText());
        assertEquals("renamed", ok(alice.patch(active, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"renamed\"}]"))
                .get("name").asText());
    }

    @Test
    void schemaViolationsAre400() {
        String id = alice.createRaw(null);
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/min_disk\",\"value\":-1}]"), 400,
                "less than the minimum");
        assertEquals(400, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/min_ram\",\"value\":\"lots\"}]").status());
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/disk_format\",\"value\":\"floppy\"}]"), 400,
                "is not one of");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/cores\",\"value\":4}]"), 400,
                "is not of type 'string'");
        assertError(alice.patch(id, "[{\"op\":\"add\",\"path\":\"/ramdisk_id\",\"value\":\"nope\"}]"), 400,
                "does not match");
        assertEquals(400, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/tags\",\"value\":[\""
                + "t".repeat(256) + "\"]}]").status());
    }

    @Test
    void visibilityPublicNeedsAdmin() {
        String id = alice.createRaw(null);
        assertEquals(403, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"public\"}]")
                .status());
        assertEquals("shared", alice.show(id).get("visibility").asText());
        assertEquals("public", ok(admin.patch(id, "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"public\"}]"))
                .get("visibility").asText());
    }

    @Test
    void aFailingOperationLeavesTheImageUnchanged() {
        String id = alice.createRaw("\"name\":\"orig\",\"os_distro\":\"cirros\"");
        JsonNode before = alice.show(id);
        assertEquals(409, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"changed\"},"
                + "{\"op\":\"remove\",\"path\":\"/os_distro\"},{\"op\":\"add\",\"path\":\"/new\",\"value\":\"v\"},"
                + "{\"op\":\"replace\",\"path\":\"/tags\",\"value\":[\"t\"]},"
                + "{\"op\":\"remove\",\"path\":\"/missing\"}]").status());
        assertEquals(403, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"changed\"},"
                + "{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"active\"}]").status());
        assertEquals(400, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"changed\"},"
                + "{\"op\":\"replace\",\"path\":\"/min_disk\",\"value\":-5}]").status());
        assertEquals(before, alice.show(id));
    }

    @Test
    void anEmptyPatchIs200AndChangesNothing() throws InterruptedException {
        String id = alice.createRaw("\"name\":\"same\"");
        JsonNode before = alice.show(id);
        Thread.sleep(1100);
        assertEquals(before, ok(alice.patch(id, "[]")));
        assertEquals(before, ok(alice.patch(id, V20, "[]")));
        assertEquals(before, alice.show(id));
    }

    @Test
    void anotherProjectsImageIs404() {
        String id = alice.createRaw("\"visibility\":\"private\"");
        assertError(ApiClient.member(ferry, "proj-b").patch(id,
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"mine\"}]"), 404, "No image found with ID " + id);
        String pub = admin.create("{\"visibility\":\"public\",\"owner\":\"proj-a\"}").get("id").asText();
        assertEquals(403, ApiClient.member(ferry, "proj-b").patch(pub,
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"mine\"}]").status(), "visible but not theirs");
    }

    @Test
    void aReaderOfTheOwningProjectIs403() {
        String id = alice.createRaw(null);
        assertEquals(403, ApiClient.as(ferry, "proj-a", "reader").patch(id,
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"r\"}]").status());
        assertTrue(alice.show(id).get("name").isNull());
    }

    @Test
    void unknownImageIs404() {
        String id = java.util.UUID.randomUUID().toString();
        assertError(alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]"), 404, id);
    }
}
