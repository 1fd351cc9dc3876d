package org.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.ferry.auth.RequestContext;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One API request after routing and authentication: the exchange, the caller, path and query parameters. */
public final class ApiRequest {
    private static final int MAX_JSON_BODY = 1 << 20;

    private final HttpServerExchange exchange;
    private final RequestContext context;
    private final Map<String, String> pathParams;
    private final List<Map.Entry<String, String>> query;

    public ApiRequest(HttpServerExchange exchange, RequestContext context, Map<String, String> pathParams) {
        this.exchange = exchange;
        this.context = context;
        this.pathParams = pathParams;
        this.query = parseQuery(exchange.getQueryString());
    }

    public HttpServerExchange exchange() {
        return exchange;
    }

    public RequestContext context() {
        return context;
    }

    public String path(String name) {
        return pathParams.get(name);
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    public String method() {
        return exchange.getRequestMethod().toString();
    }

    /** Query parameters in request order, repeated keys kept. */
    public List<Map.Entry<String, String>> query() {
        return query;
    }

    public List<String> queryAll(String key) {
        return query.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).toList();
    }

    public Optional<String> queryFirst(String key) {
        return query.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).findFirst();
    }

    public byte[] body() {
        try {
            if (!exchange.isBlocking()) {
                exchange.startBlocking();
            }
            InputStream in = exchange.getInputStream();
            byte[] data = in.readNBytes(MAX_JSON_BODY + 1);
            if (data.length > MAX_JSON_BODY) {
                throw new ApiException(413, "The request body is larger than " + MAX_JSON_BODY + " bytes.");
            }
            return data;
        } catch (IOException e) {
            // the client's fault (a body shorter than its Content-Length, broken chunks), so no 500
            throw ApiException.badRequest("The request body could not be read: " + e.getMessage());
        }
    }

    /** The JSON body; an absent body is 400 "Body expected in request.". */
    public JsonNode json() {
        byte[] body = body();
        if (body.length == 0) {
            throw ApiException.badRequest("Body expected in request.");
        }
        return Json.parseBody(body);
    }

    public void setHeader(String name, String value) {
        exchange.getResponseHeaders().put(HttpString.tryFromString(name), value);
    }

    static List<Map.Entry<String, String>> parseQuery(String raw) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            out.add(Map.entry(decode(k), decode(v)));
        }
        return out;
    }

    private static String decode(String s) {
        String decoded;
        try {
            decoded = URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Invalid query string encoding: " + s);
        }
        // query values become SQL parameters (filters, markers), and PostgreSQL refuses a NUL in text with a 500
        if (decoded.indexOf('\0') >= 0) {
            throw ApiException.badRequest("Invalid null character in the query string.");
        }
        return decoded;
    }
}
