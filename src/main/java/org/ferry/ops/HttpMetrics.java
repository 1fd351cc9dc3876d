package org.ferry.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Request metrics: {@code ferry_http_requests_seconds} (a histogram) by method, route template and status, and the
 * image data bytes the data routes received and sent. Labels come from bounded sets only: the route's template
 * (never the raw path), known methods, status codes.
 */
public final class HttpMetrics implements Consumer<CompletedRequest> {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The routes whose bodies are image data (uploads, staging, downloads). */
    private static final Set<String> DATA_ROUTES = Set.of("/v2/images/{id}/file", "/v2/images/{id}/stage");
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(30)};

    private record Key(String method, String route, int status) {
    }

    private final MeterRegistry registry;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accept(CompletedRequest r) {
        String method = METHODS.contains(r.method()) ? r.method() : "other";
        String route = route(r);
        timers.computeIfAbsent(new Key(method, route, r.status()), k -> Timer.builder("ferry.http.requests")
                .description("API requests by method, route template and status")
                .tags("method", k.method(), "route", k.route(), "status", Integer.toString(k.status()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)).record(r.nanos(), TimeUnit.NANOSECONDS);
        if (r.route() != null && DATA_ROUTES.contains(r.route())) {
            if (r.received() > 0) {
                received.computeIfAbsent(r.route(), k -> Counter.builder("ferry.image.data.received")
                        .description("Image data received by uploads").baseUnit("bytes").tag("route", k)
                        .register(registry)).increment(r.received());
            }
            if (r.sent() > 0) {
                sent.computeIfAbsent(r.route(), k -> Counter.builder("ferry.image.data.sent")
                        .description("Image data sent by downloads").baseUnit("bytes").tag("route", k)
                        .register(registry)).increment(r.sent());
            }
        }
    }

    /** The route template; requests no route matched keep a fixed label ("/" and "/versions" are their own). */
    private static String route(CompletedRequest r) {
        if (r.route() != null) {
            return r.route();
        }
        return r.uri().equals("/") || r.uri().equals("/versions") ? r.uri() : "unmatched";
    }
}
