package org.ferry.api;

import org.ferry.flow.StoreAcls;
import org.ferry.catalog.ImageAttributes;
import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.config.Quotas;
import org.ferry.auth.PolicyDeniedException;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.Member;
import org.ferry.catalog.MemberRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * Image sharing (glance/api/v2/image_members.py): the owner adds and removes member projects of a shared image, a
 * member accepts or rejects it. Checks run in Glance's order: image visible (404), shared (403, or 404 for a show),
 * policy, then the member itself.
 */
public final class MembersApi {
    private static final Logger LOG = LoggerFactory.getLogger(MembersApi.class);
    private static final String ONLY_SHARED = "Only shared images have members.";
    private static final int MAX_MEMBER_ID = 255;

    private final MemberRepository members;
    private final ImageGuard guard;
    private final Quotas quotas;
    /** Members may read the data: the stores that keep ACLs follow each change (as Glance's member proxy). */
    private final StoreAcls acls;

    public MembersApi(MemberRepository members, ImageGuard guard, Quotas quotas, StoreAcls acls) {
        this.members = members;
        this.guard = guard;
        this.quotas = quotas;
        this.acls = acls;
    }

    public void register(Router r) {
        r.add("GET", "/v2/images/{id}/members", this::index);
        r.add("POST", "/v2/images/{id}/members", this::create);
        r.add("GET", "/v2/images/{id}/members/{member}", this::show);
        r.add("PUT", "/v2/images/{id}/members/{member}", this::update);
        r.add("DELETE", "/v2/images/{id}/members/{member}", this::delete);
    }

    /** The member view; timestamps in Glance's isotime form (no fraction, Z). */
    static ObjectNode view(Member m) {
        ObjectNode o = Json.object();
        o.put("member_id", m.memberId());
        o.put("image_id", m.imageId());
        o.put("status", m.status());
        o.put("created_at", ImageView.isoTime(m.createdAt()));
        o.put("updated_at", ImageView.isoTime(m.updatedAt()));
        o.put("schema", "/v2/schemas/member");
        return o;
    }

    void index(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = lookupImage(ctx, req.path("id"));
        if (!"shared".equals(img.visibility)) {
            throw ApiException.forbidden("Not allowed to list members for image " + img.id + ": " + ONLY_SHARED);
        }
        enforce("get_members", ctx, img);
        ObjectNode body = Json.object();
        ArrayNode arr = body.putArray("members");
        if (guard.allows("get_member", ctx, img)) {
            for (Member m : visibleMembers(ctx, img)) {
                arr.add(view(m));
            }
        }
        body.put("schema", "/v2/schemas/members");
        Responses.json(req.exchange(), 200, body);
    }

    void show(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = lookupImage(ctx, req.path("id"));
        // Glance answers every refusal of a member lookup with 404, so a show never reveals more than a 404 would
        if (!"shared".equals(img.visibility)) {
            throw ApiException.notFound(ONLY_SHARED);
        }
        try {
            Member m = lookupMember(ctx, img, req.path("member"));
            Responses.json(req.exchange(), 200, view(m));
        } catch (ApiException e) {
            if (e.status() == 403) {
                throw ApiException.notFound(e.explanation());
            }
            throw e;
        }
    }

    void create(ApiRequest req) {
        RequestContext ctx = req.context();
        String memberId = memberFromBody(req.json());
        Image img = lookupImage(ctx, req.path("id"));
        if (!"shared".equals(img.visibility)) {
            throw ApiException.forbidden("Not allowed to create members for image " + img.id + ": " + ONLY_SHARED);
        }
        enforce("add_member", ctx, img);
        int quota = quotas.imageMemberQuota();
        if (quota >= 0) {
            int attempted = members.count(img.id) + 1;
            if (attempted > quota) {
                throw new ApiException(413, "Image member limit exceeded for image " + img.id + ": The limit has "
                        + "been exceeded on the number of allowed image members for this image. Attempted: "
                        + attempted + ", Maximum: " + quota);
            }
        }
        Member m = members.add(img.id, memberId).orElseThrow(() -> ApiException.conflict(
                "Member " + memberId + " is duplicated for image " + img.id));
        LOG.info("image {} shared with project {}", img.id, memberId);
        acls.update(img.id, ctx);
        Responses.json(req.exchange(), 200, view(m));
    }

    void update(ApiRequest req) {
        RequestContext ctx = req.context();
        JsonNode status = statusFromBody(req.json());
        Image img = lookupImage(ctx, req.path("id"));
        if (!"shared".equals(img.visibility)) {
            throw ApiException.forbidden("Not allowed to update members for image " + img.id + ": " + ONLY_SHARED);
        }
        Member m = lookupMember(ctx, img, req.path("member"));
        enforce("modify_member", ctx, img, "Not allowed to update members for image " + img.id + ".");
        if (!status.isTextual() || !Member.validStatus(status.asText())) {
            throw ApiException.badRequest("Incorrect request: Status must be \"pending\", \"accepted\" or "
                    + "\"rejected\".");
        }
        Member updated = members.setStatus(img.id, m.memberId(), status.asText())
                .orElseThrow(() -> notAMember(m.memberId(), img.id));
        LOG.info("project {} set its membership of image {} to {}", m.memberId(), img.id, updated.status());
        Responses.json(req.exchange(), 200, view(updated));
    }

    void delete(ApiRequest req) {
        RequestContext ctx = req.context();
        Image img = lookupImage(ctx, req.path("id"));
        if (!"shared".equals(img.visibility)) {
            throw ApiException.forbidden("Not allowed to delete members for image " + img.id + ": " + ONLY_SHARED);
        }
        Member m = lookupMember(ctx, img, req.path("member"));
        enforce("delete_member", ctx, img, "Not allowed to delete members for image " + img.id + ".");
        if (!members.remove(img.id, m.memberId())) {
            throw notAMember(m.memberId(), img.id);
        }
        LOG.info("image {} no longer shared with project {}", img.id, m.memberId());
        acls.update(img.id, ctx);
        Responses.empty(req.exchange(), 204);
    }

    /** The image if visible to the caller, else Glance's member-API 404 "Image %s not found.". */
    private Image lookupImage(RequestContext ctx, String id) {
        try {
            return guard.visible(ctx, id);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw ApiException.notFound("Image " + id + " not found.");
            }
            throw e;
        }
    }

    /**
     * What Glance's member query returns to the caller: an admin or the image owner sees every member, anyone else
     * only its own membership.
     */
    private List<Member> visibleMembers(RequestContext ctx, Image img) {
        if (ctx.isAdmin() || img.owner != null && img.owner.equals(ctx.projectId())) {
            return members.list(img.id);
        }
        return ctx.projectId() == null ? List.of() : members.find(img.id, ctx.projectId()).map(List::of).orElse(List.of());
    }

    private Member lookupMember(RequestContext ctx, Image img, String memberId) {
        enforce("get_member", ctx, img);
        Optional<Member> m = visibleMembers(ctx, img).stream().filter(x -> x.memberId().equals(memberId)).findFirst();
        return m.orElseThrow(() -> notAMember(memberId, img.id));
    }

    private static ApiException notAMember(String memberId, String imageId) {
        return ApiException.notFound(memberId + " not found in the member list of the image " + imageId + ".");
    }

    /**
     * Glance's MemberAPIPolicy: get_image first (denied means the image is hidden: 404), then the rule (403 with the
     * policy text, or {@code message} when given).
     */
    private void enforce(String rule, RequestContext ctx, Image img, String... message) {
        if (!guard.allows("get_image", ctx, img)) {
            throw ApiException.notFound("");
        }
        try {
            guard.enforce(rule, ctx, img);
        } catch (PolicyDeniedException e) {
            throw ApiException.forbidden(message.length > 0 ? message[0] + " " + e.getMessage() : e.getMessage());
        }
    }

    private static String memberFromBody(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("Expected a member in the form: {\"member\": \"image_id\"}");
        }
        JsonNode m = body.get("member");
        if (m == null) {
            throw ApiException.badRequest("Member to be added not specified");
        }
        if (m.isNull() || m.isTextual() && m.asText().isEmpty()) {
            throw ApiException.badRequest("Member can't be empty");
        }
        if (!m.isTextual()) {
            throw ApiException.badRequest("Expected a member in the form: {\"member\": \"image_id\"}");
        }
        if (ImageAttributes.hasFourByteChars(m.asText())) {
            throw ApiException.badRequest("Invalid 4-byte UTF-8 character in member " + m.asText());
        }
        if (m.asText().length() > MAX_MEMBER_ID) {
            throw ApiException.badRequest("Member " + m.asText().substring(0, 32) + "... is longer than "
                    + MAX_MEMBER_ID + " characters.");
        }
        return m.asText();
    }

    private static JsonNode statusFromBody(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("Expected a status in the form: {\"status\": \"status\"}");
        }
        JsonNode s = body.get("status");
        if (s == null) {
            throw ApiException.badRequest("Status not specified");
        }
        return s;
    }
}
