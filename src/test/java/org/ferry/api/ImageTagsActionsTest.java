package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reference §2.8: PUT/DELETE /v2/images/{id}/tags/{tag}, POST .../actions/deactivate|reactivate. */
class ImageTagsActionsTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient alice = ApiClient.member(ferry, "proj-a");

    static List<String> tags(JsonNode img) {
        List<String> out = new ArrayList<>();
        img.get("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    static String tag(String id, String tag) {
        return "/v2/images/" + id + "/tags/" + tag;
    }

    static String action(String id, String action) {
        return "/v2/images/" + id + "/actions/" + action;
    }

    @Test
    void addedTagsShowAndDuplicatesCollapse() {
        String id = alice.createRaw(null);
        TestResponse r = alice.put(tag(id, "ubuntu"));
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        assertEquals(204, alice.put(tag(id, "lts")).status());
        assertEquals(204, alice.put(tag(id, "ubuntu")).status());
        List<String> tags = tags(alice.show(id));
        assertEquals(2, tags.size(), tags.toString());
        assertEquals(List.of("lts", "ubuntu"), tags.stream().sorted().toList());
        assertEquals(List.of(id), ids(alice.get("/v2/images?tag=lts&tag=ubuntu")));
    }

    private static List<String> ids(TestResponse r) {
        List<String> out = new ArrayList<>();
        r.json().get("images").forEach(i -> out.add(i.get("id").asText()));
        return out;
    }

    @Test
    void deletingATagRemovesIt() {
        String id = alice.create("{\"tags\":[\"a\",\"b\"]}").get("id").asText();
        TestResponse r = alice.delete(tag(id, "a"));
        assertEquals(204, r.status(), r.text());
        assertEquals(List.of("b"), tags(alice.show(id)));
        assertError(alice.delete(tag(id, "a")), 404, "a");
        assertError(alice.delete(tag(id, "never")), 404, "never");
    }

    @Test
    void tagsOfAnUnknownOrInvisibleImageAre404() {
        String unknown = UUID.randomUUID().toString();
        assertError(alice.put(tag(unknown, "x")), 404, "No image found with ID " + unknown);
        assertError(alice.delete(tag(unknown, "x")), 404, "No image found with ID " + unknown);
        String hidden = alice.createRaw("\"visibility\":\"private\"");
        assertEquals(404, ApiClient.member(ferry, "proj-b").put(tag(hidden, "x")).status());
        assertEquals(List.of(), tags(alice.show(hidden)));
    }

    @Test
    void aTagLongerThan255Is400() {
        String id = alice.createRaw(null);
        assertError(alice.put(tag(id, "t".repeat(256))), 400, "is too long");
        assertEquals(204, alice.put(tag(id, "t".repeat(255))).status());
        assertEquals(List.of("t".repeat(255)), tags(alice.show(id)));
    }

    @Test
    void aReaderCannotTag() {
        String id = alice.createRaw(null);
        assertEquals(403, ApiClient.as(ferry, "proj-a", "reader").put(tag(id, "x")).status());
    }

    @Test
    void deactivateAndReactivateAnActiveImage() {
        String id = alice.createActive(null, 1024);
        assertEquals("active", alice.show(id).get("status").asText());

        TestResponse r = alice.post(action(id, "deactivate"), null);
        assertEquals(204, r.status(), r.text());
        assertEquals("deactivated", alice.show(id).get("status").asText());
        assertEquals(204, alice.post(action(id, "deactivate"), null).status(), "deactivating again is fine");

        assertError(alice.get("/v2/images/" + id + "/file"), 403,
                "The requested image has been deactivated. Image data download is forbidden.");
        TestResponse data = admin.get("/v2/images/" + id + "/file");
        assertEquals(200, data.status());
        assertArrayEquals(new byte[1024], data.body());

        assertEquals(204, alice.post(action(id, "reactivate"), null).status());
        assertEquals("active", alice.show(id).get("status").asText());
        assertEquals(204, alice.post(action(id, "reactivate"), null).status(), "reactivating again is fine");
        assertEquals(200, alice.get("/v2/images/" + id + "/file").status());
    }

    @Test
    void actionsOnAQueuedImageAre403() {
        String id = alice.createRaw(null);
        assertError(alice.post(action(id, "deactivate"), null), 403,
                "Not allowed to deactivate image in status 'queued'");
        assertError(alice.post(action(id, "reactivate"), null), 403,
                "Not allowed to reactivate image in status 'queued'");
        assertEquals("queued", alice.show(id).get("status").asText());
    }

    @Test
    void actionsOnAnUnknownImageAre404() {
        String id = UUID.randomUUID().toString();
        assertError(alice.post(action(id, "deactivate"), null), 404, "No image found with ID " + id);
        assertError(alice.post(action(id, "reactivate"), null), 404, "No image found with ID " + id);
    }

    @Test
    void actionsNeedTheOwningProjectsMemberRole() {
        String id = alice.createActive("\"visibility\":\"community\"", 16);
        assertEquals(403, ApiClient.member(ferry, "proj-b").post(action(id, "deactivate"), null).status());
        assertEquals(403, ApiClient.as(ferry, "proj-a", "reader").post(action(id, "deactivate"), null).status());
        assertEquals("active", alice.show(id).get("status").asText());
        assertEquals(404, alice.post("/v2/images/" + id + "/actions/explode", null).status());
    }
}
