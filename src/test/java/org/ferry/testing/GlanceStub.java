package org.ferry.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A remote Glance (a region of glance-download, a replication source) on 127.0.0.1: WireMock, so a test can still
 * script anything with {@code stubFor} and check what was asked with {@code findAll}/{@code verify}, plus the
 * answers every such test needs: an image's metadata and data, the image list, and faults in place of either.
 */
public final class GlanceStub extends WebServer {
    private GlanceStub() {
    }

    /** A started stub on a free loopback port; {@code stop()} it after the test, or register it as an extension. */
    public static GlanceStub started() {
        GlanceStub g = new GlanceStub();
        g.start();
        return g;
    }

    /** The image API root as a Keystone catalog lists it ({@code http://127.0.0.1:<port>/v2}). */
    public String v2Url() {
        return baseUrl() + "/v2";
    }

    /** Serves the image's metadata ({@code meta}, which carries its id) and its data under /v2/images/{id}. */
    public GlanceStub image(ObjectNode meta, byte[] data) {
        String id = meta.get("id").asText();
        stubFor(get(urlPathEqualTo("/v2/images/" + id)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(meta.toString())));
        stubFor(get(urlPathEqualTo("/v2/images/" + id + "/file")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(data)));
        return this;
    }

    /** Answers GET /v2/images/{id} with {@code answer} instead (an error status, a fault, a non-JSON page). */
    public GlanceStub metadataAnswer(String id, ResponseDefinitionBuilder answer) {
        stubFor(get(urlPathEqualTo("/v2/images/" + id)).willReturn(answer));
        return this;
    }

    /** Answers GET /v2/images/{id}/file with {@code answer} instead (a fault, a redirect, a slow body). */
    public GlanceStub dataAnswer(String id, ResponseDefinitionBuilder answer) {
        stubFor(get(urlPathEqualTo("/v2/images/" + id + "/file")).willReturn(answer));
        return this;
    }

    /** Answers every GET /v2/images (any query) with one page holding {@code images}. */
    public GlanceStub list(List<ObjectNode> images) {
        stubFor(get(urlPathEqualTo("/v2/images")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(listBody(images, null))));
        return this;
    }

    /** The body of a Glance list answer: the images and, unless null, a next link. */
    public static String listBody(List<ObjectNode> images, String next) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode a = o.putArray("images");
        images.forEach(a::add);
        o.put("first", "/v2/images?visibility=public");
        o.put("schema", "/v2/schemas/images");
        if (next != null) {
            o.put("next", next);
        }
        return o.toString();
    }
}
