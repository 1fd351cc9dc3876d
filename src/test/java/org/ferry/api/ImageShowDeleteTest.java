package org.ferry.api;

import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §2.5 (GET /v2/images/{id}), §2.8 delete, §8 visibility (404 vs 403). */
class ImageShowDeleteTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient alice = ApiClient.member(ferry, "proj-a");
    static final ApiClient bob = ApiClient.member(ferry, "proj-b");

    @Test
    void showReturnsTheImage() {
        String id = alice.createRaw("\"name\":\"shown\",\"os_distro\":\"cirros\"");
        TestResponse r = alice.get("/v2/images/" + id);
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        assertEquals(id, r.json().get("id").asText());
        assertEquals("shown", r.json().get("name").asText());
        assertEquals("cirros", r.json().get("os_distro").asText());
        assertEquals(200, admin.get("/v2/images/" + id).status());
    }

    @Test
    void anUnknownImageIs404() {
        String id = UUID.randomUUID().toString();
        assertError(alice.get("/v2/images/" + id), 404, "No image found with ID " + id);
    }

    @Test
    void anEmptyIdIs404NotTheList() {
        alice.createRaw(null);
        TestResponse r = alice.get("/v2/images/");
        assertEquals(404, r.status(), r.text());
        assertTrue(!r.text().contains("\"images\""), r.text());
    }

    @Test
    void anIdLongerThan36Is404() {
        String id = alice.createRaw(null);
        assertEquals(404, alice.get("/v2/images/" + id + "0").status());
        assertEquals(404, alice.get("/v2/images/" + "a".repeat(100)).status());
    }

    @Test
    void anotherProjectsPrivateImageIs404() {
        String id = alice.createRaw("\"visibility\":\"private\"");
        assertError(bob.get("/v2/images/" + id), 404, "No image found with ID " + id);
        assertEquals(200, alice.get("/v2/images/" + id).status());
        assertEquals(200, ApiClient.as(ferry, "proj-a", "reader").get("/v2/images/" + id).status());
        assertEquals(200, admin.get("/v2/images/" + id).status());
    }

    @Test
    void aSharedImageWithoutMembershipIs404() {
        String id = alice.createRaw(null);
        assertEquals("shared", alice.show(id).get("visibility").asText());
        assertError(bob.get("/v2/images/" + id), 404, "No image found with ID " + id);
    }

    @Test
    void publicAndCommunityImagesAreVisibleToOthers() {
        String pub = admin.create("{\"visibility\":\"public\",\"owner\":\"proj-a\"}").get("id").asText();
        String community = alice.createRaw("\"visibility\":\"community\"");
        assertEquals(200, bob.get("/v2/images/" + pub).status());
        assertEquals(200, bob.get("/v2/images/" + community).status());
        // visible, but another project's image may not be deleted: 403, not 404
        assertEquals(403, bob.delete("/v2/images/" + pub).status());
        assertEquals(200, alice.get("/v2/images/" + pub).status());
    }

    @Test
    void deleteIs204ThenTheImageIsGone() {
        String id = alice.createActive(null, 1024);
        TestResponse r = alice.delete("/v2/images/" + id);
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        assertError(alice.get("/v2/images/" + id), 404, "No image found with ID " + id);
        assertError(alice.delete("/v2/images/" + id), 404, "No image found with ID " + id);
        assertEquals(404, alice.get("/v2/images/" + id + "/file").status());
        alice.get("/v2/images?limit=1000").json().get("images")
                .forEach(i -> assertTrue(!i.get("id").asText().equals(id)));
    }

    @Test
    void aProtectedImageCannotBeDeletedAndKeepsItsData() {
        String id = alice.createActive("\"protected\":true", 1024);
        assertError(alice.delete("/v2/images/" + id), 403, "Image " + id + " is protected and cannot be deleted.");
        assertError(admin.delete("/v2/images/" + id), 403, "is protected and cannot be deleted");
        assertEquals("active", alice.show(id).get("status").asText());
        TestResponse data = alice.get("/v2/images/" + id + "/file");
        assertEquals(200, data.status());
        assertArrayEquals(new byte[1024], data.body());
        // once unprotected it goes
        assertEquals(200, alice.patch(id, "[{\"op\":\"replace\",\"path\":\"/protected\",\"value\":false}]").status());
        assertEquals(204, alice.delete("/v2/images/" + id).status());
    }

    @Test
    void deletingAnotherProjectsImageIs404() {
        String id = alice.createRaw("\"visibility\":\"private\"");
        assertError(bob.delete("/v2/images/" + id), 404, "No image found with ID " + id);
        assertEquals(200, alice.get("/v2/images/" + id).status());
    }

    @Test
    void aReaderOfTheOwningProjectCannotDelete() {
        String id = alice.createRaw(null);
        assertEquals(403, ApiClient.as(ferry, "proj-a", "reader").delete("/v2/images/" + id).status());
        assertEquals(200, alice.get("/v2/images/" + id).status());
    }

    @Test
    void adminDeletesAnyImage() {
        String id = bob.createRaw("\"visibility\":\"private\"");
        assertEquals(204, admin.delete("/v2/images/" + id).status());
        assertEquals(404, bob.get("/v2/images/" + id).status());
    }

    @Test
    void deleteWithAnEmptyIdIs404() {
        String id = alice.createRaw(null);
        TestResponse r = alice.delete("/v2/images/");
        assertEquals(404, r.status(), r.text());
        assertEquals(200, alice.get("/v2/images/" + id).status());
    }

    @Test
    void anUnknownUuidIsNeverCreatedBySideEffects() {
        byte[] zeros = new byte[16];
        String id = UUID.randomUUID().toString();
        assertEquals(404, alice.call("PUT", "/v2/images/" + id + "/file", "application/octet-stream", zeros).status());
        assertEquals(404, alice.get("/v2/images/" + id).status());
    }
}
