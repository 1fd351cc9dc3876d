package org.ferry.api;

import org.ferry.http.ApiException;
import org.ferry.auth.Policy;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Glance's two-step check on an image: not visible to the caller is 404 (as if it did not exist), visible but the
 * action denied by policy is 403.
 */
public final class ImageGuard {
    private final ImageRepository images;
    private final Policy policy;

    public ImageGuard(ImageRepository images, Policy policy) {
        this.images = images;
        this.policy = policy;
    }

    /** The image if it exists and the caller may see it; otherwise 404 "No image found with ID". */
    public Image visible(RequestContext ctx, String id) {
        if (id == null || id.length() > 36) {
            throw ApiException.imageNotFound(id);
        }
        Image img = images.find(id, ctx.projectId()).orElseThrow(() -> ApiException.imageNotFound(id));
        if (!isVisible(ctx, img, memberStatus(ctx, img).isPresent())) {
            throw ApiException.imageNotFound(id);
        }
        return img;
    }

    public static boolean isVisible(RequestContext ctx, Image img, boolean member) {
        if (ctx.isAdmin() || img.owner == null || img.owner.equals(ctx.projectId())) {
            return true;
        }
        return switch (img.visibility) {
            case "public", "community" -> true;
            case "shared" -> member;
            default -> false;
        };
    }

    /** The policy target of an image: owner as project_id, visibility, and member_id when the caller is a member. */
    public Map<String, Object> target(RequestContext ctx, Image img) {
        Map<String, Object> t = new HashMap<>();
        t.put("project_id", img.owner);
        t.put("owner", img.owner);
        t.put("visibility", img.visibility);
        t.put("id", img.id);
        if (memberStatus(ctx, img).isPresent()) {
            t.put("member_id", ctx.projectId());
        }
        return t;
    }

    /** The caller's membership of the image, from the load when it was loaded for this caller. */
    private Optional<String> memberStatus(RequestContext ctx, Image img) {
        if (ctx.projectId() != null && ctx.projectId().equals(img.loadedFor)) {
            return Optional.ofNullable(img.callerMemberStatus);
        }
        return images.memberStatus(img.id, ctx.projectId());
    }

    /** Enforces a rule on a visible image (403 when denied). */
    public void enforce(String rule, RequestContext ctx, Image img) {
        policy.enforce(rule, ctx, target(ctx, img));
    }

    public boolean allows(String rule, RequestContext ctx, Image img) {
        return policy.allows(rule, ctx, target(ctx, img));
    }

    /** Policy checks that are not about one image (create, list, info, tasks API). */
    public Policy policy() {
        return policy;
    }
}
