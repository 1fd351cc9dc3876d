package org.ferry.api.members;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference §7.3 and §8: image members, and who sees and may change what (owner, member, admin, other project),
 * as tempest's ImagesMemberTest / ImagesMemberNegativeTest / ListSharedImagesTest exercise them.
 */
class MembersApiTest {
    private static final Pattern ISO = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$");

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient owner = ApiClient.member(ferry, "proj-owner");
    static final ApiClient alt = ApiClient.member(ferry, "proj-alt");
    static final ApiClient third = ApiClient.member(ferry, "proj-third");
    static final ApiClient altReader = ApiClient.as(ferry, "proj-alt", "reader");

    private static String members(String id) {
        return "/v2/images/" + id + "/members";
    }

    private static JsonNode add(ApiClient who, String id, String member) {
        TestResponse r = who.post(members(id), "{\"member\":\"" + member + "\"}");
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        return r.json();
    }

    private static JsonNode setStatus(ApiClient who, String id, String member, String status) {
        TestResponse r = who.put(members(id) + "/" + member, "{\"status\":\"" + status + "\"}");
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    private static List<String> memberIds(TestResponse r) {
        assertEquals(200, r.status(), r.text());
        assertEquals("/v2/schemas/members", r.json().get("schema").asText());
        List<String> ids = new ArrayList<>();
        r.json().get("members").forEach(m -> ids.add(m.get("member_id").asText()));
        return ids;
    }

    @Test
    void shareThenAcceptAsTempestDoes() {
        // a project of its own, so "exactly this image" holds whatever the other tests shared
        ApiClient alt = ApiClient.member(ferry, "proj-tempest-alt");
        String id = owner.createRaw("\"name\":\"to-share\"");
        assertEquals("shared", owner.show(id).get("visibility").asText(), "the default visibility");
        JsonNode m = add(owner, id, alt.project);
        assertEquals(alt.project, m.get("member_id").asText());
        assertEquals(id, m.get("image_id").asText());
        assertEquals("pending", m.get("status").asText());
        assertEquals("/v2/schemas/member", m.get("schema").asText());
        assertTrue(ISO.matcher(m.get("created_at").asText()).matches(), m.toString());
        assertTrue(ISO.matcher(m.get("updated_at").asText()).matches(), m.toString());
        assertEquals(6, m.size(), m.toString());

        // pending: visible by id, hidden from the default list, listed with visibility=shared&member_status=pending
        assertEquals(200, alt.get("/v2/images/" + id).status());
        assertFalse(alt.list("").contains(id));
        assertEquals(List.of(id), alt.list("?visibility=shared&member_status=pending"));
        assertTrue(alt.list("?member_status=all").contains(id));
        assertTrue(alt.list("?visibility=shared&member_status=all").contains(id));
        assertFalse(alt.list("?visibility=shared").contains(id), "accepted is the default member_status");
        assertFalse(alt.list("?member_status=accepted").contains(id));

        JsonNode accepted = setStatus(alt, id, alt.project, "accepted");
        assertEquals("accepted", accepted.get("status").asText());
        assertEquals(m.get("created_at"), accepted.get("created_at"));
        assertTrue(alt.list("").contains(id));
        assertTrue(alt.list("?visibility=shared").contains(id));
        assertFalse(alt.list("?visibility=shared&member_status=pending").contains(id));

        TestResponse list = owner.get(members(id));
        assertEquals(List.of(alt.project), memberIds(list));
        assertEquals("accepted", list.json().get("members").get(0).get("status").asText());
        assertEquals(accepted, alt.get(members(id) + "/" + alt.project).json());

        // the owner still sees its own shared image; a project that is no member sees nothing
        assertTrue(owner.list("").contains(id));
        assertTrue(owner.list("?visibility=shared&member_status=pending").contains(id));
        assertEquals(404, third.get("/v2/images/" + id).status());
        assertFalse(third.list("?visibility=shared&member_status=all").contains(id));
    }

    @Test
    void rejectedImagesStayOutOfTheDefaultList() {
        ApiClient alt = ApiClient.member(ferry, "proj-rejecter");
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        assertEquals("rejected", setStatus(alt, id, alt.project, "rejected").get("status").asText());
        assertFalse(alt.list("").contains(id));
        assertEquals(List.of(id), alt.list("?visibility=shared&member_status=rejected"));
        assertEquals(200, alt.get("/v2/images/" + id).status(), "a member of any status may show the image");
        // and may change its mind
        assertEquals("pending", setStatus(alt, id, alt.project, "pending").get("status").asText());
        assertEquals("accepted", setStatus(alt, id, alt.project, "accepted").get("status").asText());
        assertTrue(alt.list("").contains(id));
    }

    @Test
    void removingAMemberHidesTheImageAgain() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        setStatus(alt, id, alt.project, "accepted");
        TestResponse r = owner.delete(members(id) + "/" + alt.project);
        assertEquals(204, r.status(), r.text());
        assertEquals(0, r.body().length);
        assertEquals(404, alt.get("/v2/images/" + id).status());
        assertFalse(alt.list("?member_status=all").contains(id));
        assertEquals(List.of(), memberIds(owner.get(members(id))));
        assertError(owner.delete(members(id) + "/" + alt.project), 404, "not found in the member list of the image");
        // shared again: a fresh pending membership
        assertEquals("pending", add(owner, id, alt.project).get("status").asText());
    }

    @Test
    void whoSeesWhichMembers() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        add(owner, id, third.project);
        assertEquals(List.of(alt.project, third.project), memberIds(owner.get(members(id))));
        assertEquals(List.of(alt.project, third.project), memberIds(admin.get(members(id))));
        assertEquals(List.of(alt.project), memberIds(alt.get(members(id))), "a member sees only itself");
        assertEquals(List.of(alt.project), memberIds(altReader.get(members(id))), "get_members needs only reader");
        assertEquals(List.of(third.project), memberIds(third.get(members(id))));
        ApiClient stranger = ApiClient.member(ferry, "proj-stranger");
        assertError(stranger.get(members(id)), 404, "Image " + id + " not found.");

        assertEquals(200, owner.get(members(id) + "/" + third.project).status());
        assertEquals(200, admin.get(members(id) + "/" + third.project).status());
        assertError(alt.get(members(id) + "/" + third.project), 404,
                third.project + " not found in the member list of the image " + id + ".");
        assertError(owner.get(members(id) + "/proj-nobody"), 404, "not found in the member list");
        assertError(stranger.get(members(id) + "/" + alt.project), 404, "not found");
    }

    @Test
    void onlySharedImagesHaveMembers() {
        for (String visibility : List.of("private", "public", "community")) {
            String id = (visibility.equals("public") ? admin : owner).createRaw("\"visibility\":\"" + visibility + "\"");
            ApiClient who = visibility.equals("public") ? admin : owner;
            assertError(who.post(members(id), "{\"member\":\"" + alt.project + "\"}"), 403,
                    "Only shared images have members.");
            assertError(who.get(members(id)), 403, "Only shared images have members.");
            // a show hides the refusal as Glance does: 404
            assertError(who.get(members(id) + "/" + alt.project), 404, "Only shared images have members.");
            assertError(who.put(members(id) + "/" + alt.project, "{\"status\":\"accepted\"}"), 403,
                    "Only shared images have members.");
            assertError(who.delete(members(id) + "/" + alt.project), 403, "Only shared images have members.");
        }
    }

    @Test
    void membershipOutlivesAVisibilityChange() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        setStatus(alt, id, alt.project, "accepted");
        assertEquals(200, owner.patch(id, "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"private\"}]")
                .status());
        assertEquals(404, alt.get("/v2/images/" + id).status(), "private: members see nothing");
        assertFalse(alt.list("?member_status=all").contains(id));
        assertError(owner.get(members(id)), 403, "Only shared images have members.");
        assertEquals(200, owner.patch(id, "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"shared\"}]")
                .status());
        assertTrue(alt.list("").contains(id));
        assertEquals("accepted", owner.get(members(id) + "/" + alt.project).json().get("status").asText());
    }

    @Test
    void addMemberErrors() {
        String id = owner.createRaw("");
        assertError(owner.post(members(id), null), 400, "Body expected in request.");
        assertError(owner.post(members(id), "{\"member\":"), 400, "Malformed JSON in request body.");
        assertError(owner.post(members(id), "{}"), 400, "Member to be added not specified");
        assertError(owner.post(members(id), "{\"member\":\"\"}"), 400, "Member can't be empty");
        assertError(owner.post(members(id), "{\"member\":null}"), 400, "Member can't be empty");
        assertError(owner.post(members(id), "[\"proj-alt\"]"), 400, "Expected a member in the form");
        assertError(owner.post(members(id), "{\"member\":7}"), 400, "Expected a member in the form");
        assertError(owner.post(members(id), "{\"member\":\"" + "p".repeat(256) + "\"}"), 400, "longer than 255");
        add(owner, id, alt.project);
        assertError(owner.post(members(id), "{\"member\":\"" + alt.project + "\"}"), 409,
                "Member " + alt.project + " is duplicated for image " + id);
        // only the owner (or an admin) shares: a member may not, another project does not even see the image
        assertError(alt.post(members(id), "{\"member\":\"proj-x\"}"), 403, "add_member");
        assertError(altReader.post(members(id), "{\"member\":\"proj-x\"}"), 403, "add_member");
        assertError(third.post(members(id), "{\"member\":\"proj-x\"}"), 404, "Image " + id + " not found.");
        assertEquals(200, admin.post(members(id), "{\"member\":\"proj-by-admin\"}").status());
        String unknown = "00000000-0000-4000-8000-0000000000aa";
        assertError(owner.post(members(unknown), "{\"member\":\"proj-x\"}"), 404, "Image " + unknown + " not found.");
        // the body is checked before the image, as Glance's deserializer runs first
        assertError(owner.post(members(unknown), "{}"), 400, "Member to be added not specified");
        // an owner without the member role cannot share
        ApiClient ownerReader = ApiClient.as(ferry, "proj-owner", "reader");
        assertError(ownerReader.post(members(id), "{\"member\":\"proj-y\"}"), 403, "add_member");
    }

    @Test
    void statusChangesBelongToTheMember() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        add(owner, id, third.project);
        // tempest test_image_share_owner_cannot_accept
        assertError(owner.put(members(id) + "/" + alt.project, "{\"status\":\"accepted\"}"), 403, "modify_member");
        // tempest test_image_share_invalid_status
        assertError(alt.put(members(id) + "/" + alt.project, "{\"status\":\"notavalidstatus\"}"), 400,
                "Status must be \"pending\", \"accepted\" or \"rejected\".");
        assertError(alt.put(members(id) + "/" + alt.project, "{\"status\":5}"), 400, "Status must be");
        assertError(alt.put(members(id) + "/" + alt.project, "{}"), 400, "Status not specified");
        assertError(alt.put(members(id) + "/" + alt.project, "[]"), 400, "Expected a status in the form");
        assertError(alt.put(members(id) + "/" + alt.project, null), 400, "Body expected in request.");
        // one member cannot touch another's membership: it does not even see it
        assertError(alt.put(members(id) + "/" + third.project, "{\"status\":\"accepted\"}"), 404,
                "not found in the member list");
        assertError(altReader.put(members(id) + "/" + alt.project, "{\"status\":\"accepted\"}"), 403, "modify_member");
        ApiClient stranger = ApiClient.member(ferry, "proj-stranger");
        assertError(stranger.put(members(id) + "/proj-stranger", "{\"status\":\"accepted\"}"), 404, "not found");
        assertEquals("pending", owner.get(members(id) + "/" + alt.project).json().get("status").asText());
        // an admin may set it (modify_member is admin or the member project)
        assertEquals("rejected", setStatus(admin, id, third.project, "rejected").get("status").asText());
        assertEquals("accepted", setStatus(alt, id, alt.project, "accepted").get("status").asText());
    }

    @Test
    void onlyTheOwnerOrAnAdminRemovesMembers() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        add(owner, id, third.project);
        assertError(alt.delete(members(id) + "/" + alt.project), 403, "delete_member");
        assertError(alt.delete(members(id) + "/" + third.project), 404, "not found in the member list");
        assertEquals(204, admin.delete(members(id) + "/" + third.project).status());
        assertEquals(204, owner.delete(members(id) + "/" + alt.project).status());
        assertEquals(List.of(), memberIds(owner.get(members(id))));
    }

    @Test
    void anAcceptedMemberMayDownloadButNotChangeTheImage() {
        String id = owner.createRaw("");
        byte[] data = "shared bytes".getBytes();
        owner.upload(id, data);
        add(owner, id, alt.project);
        setStatus(alt, id, alt.project, "accepted");
        TestResponse r = alt.get("/v2/images/" + id + "/file");
        assertEquals(200, r.status(), r.text());
        assertArrayEquals(data, r.body());
        assertEquals(403, alt.patch(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"mine\"}]").status());
        assertEquals(403, alt.delete("/v2/images/" + id).status());
        assertEquals(404, third.get("/v2/images/" + id + "/file").status());
    }

    @Test
    void adminsSeeSharedImagesWithoutMembership() {
        String id = owner.createRaw("");
        assertTrue(admin.list("").contains(id));
        assertEquals(200, admin.get("/v2/images/" + id).status());
    }

    @Test
    void memberStatusFilterIsValidated() {
        assertError(alt.get("/v2/images?member_status=maybe"), 400, "Invalid status: maybe");
    }

    @Test
    void memberSchemas() {
        assertEquals("member", admin.get("/v2/schemas/member").json().get("name").asText());
        assertEquals("members", admin.get("/v2/schemas/members").json().get("name").asText());
    }

    @Test
    void deletedImagesHaveNoMembersToShow() {
        String id = owner.createRaw("");
        add(owner, id, alt.project);
        assertEquals(204, owner.delete("/v2/images/" + id).status());
        assertError(owner.get(members(id)), 404, "not found");
        assertError(alt.get(members(id) + "/" + alt.project), 404, "not found");
    }
}
