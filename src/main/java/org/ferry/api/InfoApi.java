package org.ferry.api;

import org.ferry.http.Router;
import org.ferry.http.Responses;
import org.ferry.http.Json;
import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.Policy;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import java.util.List;
import java.util.Map;

/** Discovery: /v2/info/import, /v2/info/stores (and /detail), /v2/info/usage; and the schemas. */
public final class InfoApi {
    private final List<String> importMethods;
    private final StoreRegistry stores;
    private final Policy policy;
    private final Schemas schemas;

    public InfoApi(List<String> importMethods, StoreRegistry stores, Policy policy, Schemas schemas) {
        this.importMethods = importMethods;
        this.stores = stores;
        this.policy = policy;
        this.schemas = schemas;
    }

    public void register(Router r) {
        r.add("GET", "/v2/info/import", this::importInfo);
        r.add("GET", "/v2/info/stores", req -> storesInfo(req, false));
        r.add("GET", "/v2/info/stores/detail", req -> storesInfo(req, true));
        r.add("GET", "/v2/info/usage", req -> {
            ObjectNode body = Json.object();
            body.putObject("usage");
            Responses.json(req.exchange(), 200, body);
        });
        r.add("GET", "/v2/schemas/{name}", this::schema);
    }

    void importInfo(ApiRequest req) {
        ObjectNode body = Json.object();
        ObjectNode m = body.putObject("import-methods");
        m.put("description", "Import methods available.");
        m.put("type", "array");
        ArrayNode v = m.putArray("value");
        importMethods.forEach(v::add);
        Responses.json(req.exchange(), 200, body);
    }

    void storesInfo(ApiRequest req, boolean detail) {
        if (!stores.multistore()) {
            throw ApiException.notFound("Multi backend is not supported at this site.");
        }
        if (detail) {
            policy.enforce("stores_info_detail", req.context(), Map.of());
        }
        ObjectNode body = Json.object();
        ArrayNode arr = body.putArray("stores");
        for (Store s : stores.all()) {
            ObjectNode o = arr.addObject();
            o.put("id", s.id());
            s.description().ifPresent(d -> o.put("description", d));
            if (s == stores.defaultStore()) {
                o.put("default", "true");
            }
            if (s.type().equals("http")) {
                o.put("read-only", "true");
            }
            if (detail) {
                o.put("type", s.type());
                o.put("weight", s.weight());
                o.set("properties", Json.MAPPER.valueToTree(s.properties()));
            }
        }
        Responses.json(req.exchange(), 200, body);
    }

    void schema(ApiRequest req) {
        ObjectNode doc = schemas.document(req.path("name")).orElseThrow(() -> ApiException.notFound(""));
        Responses.json(req.exchange(), 200, doc);
    }
}
