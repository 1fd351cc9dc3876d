package org.ferry.app;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.component.quartz.QuartzComponent;
import org.ferry.http.Router;
import org.ferry.auth.Authenticator;
import org.ferry.catalog.Database;
import org.ferry.flow.ImportObserver;
import org.ferry.flow.ImportScheduler;
import org.ferry.ops.AccessLog;
import org.ferry.ops.Checks;
import org.ferry.ops.FerryMetrics;
import org.ferry.ops.HealthCheck;
import org.ferry.ops.HealthChecks;
import org.ferry.ops.HealthcheckApi;
import org.ferry.ops.HttpMetrics;
import org.ferry.ops.ImportMetrics;
import org.ferry.ops.MetricsApi;
import org.ferry.ops.RequestObserver;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Wires the health check, the metrics and the access log into a Ferry; closed with it. */
final class Observability implements AutoCloseable {
    /** How long the health check waits for its checks: a probe must be answered while the load balancer waits. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final FerryConfig config;
    private final FerryMetrics metrics = new FerryMetrics();
    private final ImportMetrics imports;
    private HealthChecks health;

    Observability(FerryConfig config) {
        this.config = config;
        this.imports = new ImportMetrics(metrics.registry(), config.enabledImportMethods());
    }

    ImportObserver imports() {
        return imports;
    }

    /** The route policy that times every route's exchanges (camel_exchanges_*, camel_route_policy_*). */
    MicrometerRoutePolicyFactory routeMetrics() {
        MicrometerRoutePolicyFactory routes = new MicrometerRoutePolicyFactory();
        routes.setMeterRegistry(metrics.registry());
        return routes;
    }

    /** Once the catalog, stores, import scheduler and Camel are up: /healthcheck and /metrics. */
    void register(Router router, Authenticator authenticator, Database db, StoreRegistry stores,
                  ImportScheduler scheduler, CamelContext camel) {
        metrics.bindStoreErrors(stores.errors());
        FerryConfig.Healthcheck h = config.healthcheck();
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(Checks.disableByFile(h.disableByFilePath()));
        checks.add(Checks.database(db.dataSource(), (int) CHECK_TIMEOUT.toSeconds()));
        for (Store s : stores.all()) {
            checks.add(Checks.store(s));
        }
        checks.add(Checks.store(stores.staging()));
        checks.add(Checks.scheduler("import_scheduler", "IMPORT SCHEDULER NOT RUNNING", scheduler::scheduler));
        if (config.replication().jobs().stream().anyMatch(j -> j.schedule().isPresent())) {
            checks.add(Checks.replicationScheduler(camel, () -> camel.hasComponent("quartz") instanceof QuartzComponent q
                    ? q.getScheduler() : null));
        }
        health = new HealthChecks(checks, CHECK_TIMEOUT);
        new HealthcheckApi(health, h.backends(), h.detailed(), authenticator).register(router);
        if (config.metrics().bindPort().isEmpty()) {
            new MetricsApi(metrics).register(router);
        }
    }

    /** The server's handler: the front handler, observed for the access log and the request metrics. */
    HttpHandler observe(HttpHandler front) {
        return new RequestObserver(front, List.of(new AccessLog(), new HttpMetrics(metrics.registry())));
    }

    /** With [metrics] bind_port: a listener of its own that serves /metrics without authentication. */
    void addMetricsListener(Undertow.Builder server) {
        config.metrics().bindPort().ifPresent(port ->
                server.addHttpListener(port, config.metrics().bindHost(), new MetricsApi(metrics).standalone()));
    }

    /** The metrics listener's port (the second listener), when there is one. */
    Optional<Integer> metricsPort(Undertow server) {
        if (config.metrics().bindPort().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(((InetSocketAddress) server.getListenerInfo().get(1).getAddress()).getPort());
    }

    @Override
    public void close() {
        if (health != null) {
            health.close();
        }
        metrics.close();
    }
}
