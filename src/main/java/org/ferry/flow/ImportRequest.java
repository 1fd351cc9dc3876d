package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of POST /v2/images/{id}/import as it is kept in the task input ({@code import_req}, with
 * glance_service_interface defaulted for glance-download).
 */
public record ImportRequest(String method, String uri, String glanceImageId, String glanceRegion,
                            String glanceServiceInterface, boolean allStoresMustSucceed, ObjectNode raw) {
    public static final String GLANCE_DIRECT = "glance-direct";
    public static final String WEB_DOWNLOAD = "web-download";
    public static final String GLANCE_DOWNLOAD = "glance-download";
    public static final String COPY_IMAGE = "copy-image";

    public static ImportRequest of(ObjectNode importReq) {
        JsonNode m = importReq.path("method");
        return new ImportRequest(m.path("name").asText(), text(m, "uri"), text(m, "glance_image_id"),
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
        return method.equals(WEB_DOWNLOAD) || method.equals(GLANCE_DOWNLOAD);
    }
}
