package org.ferry.ops;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.ferry.http.ApiException;
import org.ferry.http.ApiRequest;
import org.ferry.http.Responses;
import org.ferry.http.Router;

/**
 * {@code GET /metrics} in Prometheus' text format: on the API port for admins only (403 for anybody else, 401 without
 * a valid token when Keystone is on), or, with {@code [metrics] bind_port} set, on a listener of its own without
 * authentication ({@link #standalone}): a scrape target that only the monitoring network reaches.
 */
public final class MetricsApi {
    private final FerryMetrics metrics;

    public MetricsApi(FerryMetrics metrics) {
        this.metrics = metrics;
    }

    public void register(Router r) {
        r.add("GET", "/metrics", this::get);
    }

    void get(ApiRequest req) {
        if (!req.context().isAdmin()) {
            throw ApiException.forbidden("Metrics are only available to administrators.");
        }
        Responses.send(req.exchange(), 200, FerryMetrics.CONTENT_TYPE, metrics.scrape());
    }

    /** The handler of the metrics listener: GET (and HEAD) /metrics, 404 for any other path, 405 other methods. */
    public HttpHandler standalone() {
        return new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange ex) {
                if (ex.isInIoThread()) {
                    ex.dispatch(this);
                    return;
                }
                if (!ex.getRequestPath().equals("/metrics")) {
                    Responses.send(ex, 404, "text/plain; charset=UTF-8", "Not Found: metrics are at /metrics\n");
                    return;
                }
                String method = ex.getRequestMethod().toString();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                    Responses.send(ex, 405, "text/plain; charset=UTF-8", "Method Not Allowed\n");
                    return;
                }
                Responses.send(ex, 200, FerryMetrics.CONTENT_TYPE, method.equals("HEAD") ? "" : metrics.scrape());
            }
        };
    }
}
