package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of POST /v2/images/{id}/import as it is kept in the task input ({@code import_req}, with
 * glance_service_interface defaulted for glance-download).
 */
public record ImportRequest(ImportMethod method, String uri, String glanceImageId, String glanceRegion,
                            String glanceServiceInterface, boolean allStoresMustSucceed, ObjectNode raw) {
    /** @throws IllegalArgumentException for a method name that is none of {@link ImportMethod} */
    public static ImportRequest of(ObjectNode importReq) {
        JsonNode m = importReq.path("method");
        String name = m.path("name").asText();
        ImportMethod method = ImportMethod.find(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown import method '" + name + "'"));
        return new ImportRequest(method, text(m, "uri"), text(m, "glance_image_id"),
                text(m, "glance_region"), m.hasNonNull("glance_service_interface")
                        ? m.get("glance_service_interface").asText() : "public",
                !importReq.has("all_stores_must_succeed") || importReq.get("all_stores_must_succeed").asBoolean(true),
                importReq);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Whether a failure returns the image to queued (downloads) rather than uploading or active. */
    public boolean downloads() {
        return method.downloads();
    }
}
