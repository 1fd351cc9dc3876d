package org.ferry.api;

import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.VersionDiscovery;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The versions document. Ferry implements image tasks, multistore and the New Location API, and no image cache:
 * 2.17 CURRENT, then 2.15 and 2.13 ... 2.0 SUPPORTED (2.8-2.13 only with multistore).
 */
public final class VersionsApi implements VersionDiscovery {
    private final Optional<String> publicEndpoint;
    private final List<String> versions;

    public VersionsApi(Optional<String> publicEndpoint, boolean multistore) {
        this.publicEndpoint = publicEndpoint;
        List<String> v = new ArrayList<>(List.of("2.17", "2.15"));
        if (multistore) {
            for (int n = 13; n >= 8; n--) {
                v.add("2." + n);
            }
        } else {
            v.add("2.9");
        }
        for (int n = 7; n >= 0; n--) {
            v.add("2." + n);
        }
        this.versions = List.copyOf(v);
    }

    /** Minor versions a /v2.N/ prefix may name. */
    @Override
    public Set<String> allowedMinors() {
        return Set.copyOf(versions);
    }

    @Override
    public void render(HttpServerExchange ex, int status) {
        String base = publicEndpoint.orElseGet(() -> ex.getRequestScheme() + "://" + ex.getHostAndPort());
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (String v : versions) {
            ObjectNode e = list.addObject();
            e.put("id", "v" + v);
            e.put("status", v.equals("2.17") ? "CURRENT" : "SUPPORTED");
            ObjectNode link = e.putArray("links").addObject();
            link.put("rel", "self");
            link.put("href", base + "/v2/");
        }
        ObjectNode doc = Json.object();
        doc.set("versions", list);
        Responses.json(ex, status, doc);
    }
}
