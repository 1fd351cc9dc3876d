package org.ferry.replication;

import okhttp3.OkHttpClient;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.ferry.http.Router;
import org.ferry.catalog.Database;
import org.ferry.replication.api.ReplicationApi;
import org.ferry.replication.clients.KeystoneSession;
import org.ferry.replication.clients.StaticSession;
import org.ferry.replication.run.ConnectRegions;
import org.ferry.replication.run.CopyImage;
import org.ferry.replication.run.DecideImage;
import org.ferry.replication.run.DeleteVanished;
import org.ferry.replication.run.FinishRun;
import org.ferry.replication.run.ListSourceImages;
import org.ferry.replication.run.RecordImage;
import org.ferry.replication.run.ReplicationJob;
import org.ferry.replication.run.ReplicationService;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.replication.run.UpdateImage;
import org.ferry.replication.config.ReplicationConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Replication wired in one place: the beans the route files call (bound before Camel starts), the per-job routes
 * made from the templates once it has started, the operator API, and the shutdown order (runs stop before the
 * HTTP server and Camel, so an interrupted run stays open for continuation instead of failing its images).
 */
public final class Replication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    static final int PAGE_SIZE = 100;

    private final ReplicationService service;
    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final Map<String, ExecutorService> pools = new LinkedHashMap<>();
    private volatile String selfUrl;
    private ProducerTemplate producer;

    /**
     * @param http           for the regions' image APIs and Keystone application-credential logins
     * @param noAuthRegions  [glance_download_regions], where jobs without Keystone find regions
     * @param defaultSelfUrl this Ferry's URL, when it is known before the server starts (null otherwise)
     */
    public Replication(ReplicationConfig config, Database db, OkHttpClient http,
                       Map<String, Map<String, String>> noAuthRegions, String defaultSelfUrl, Clock clock) {
        ReplicationStore store = new ReplicationStore(db.jdbi());
        this.selfUrl = defaultSelfUrl;
        this.service = new ReplicationService(config.jobs(), config.lease(), store, job -> job.credentials().keystone()
                ? new KeystoneSession(job.credentials(), http, clock) : new StaticSession(noAuthRegions), clock);
        Supplier<String> self = () -> selfUrl;
        beans.put("replication", service);
        beans.put("connectRegions", new ConnectRegions(http, self));
        beans.put("listSourceImages", new ListSourceImages(store, http, PAGE_SIZE));
        beans.put("decideImage", new DecideImage(store));
        beans.put("copyImage", new CopyImage(store, clock, 250, 5000));
        beans.put("updateImage", new UpdateImage());
        beans.put("deleteVanished", new DeleteVanished(store));
        beans.put("recordImage", new RecordImage(store));
        beans.put("finishRun", new FinishRun(store, clock));
        for (ReplicationJob job : config.jobs()) {
            ExecutorService pool = Executors.newFixedThreadPool(job.concurrency(),
                    ReplicationService.daemon("ferry-replication-" + job.name()));
            pools.put(job.name(), pool);
            beans.put("replicationPool-" + job.name(), pool);
        }
        if (config.jobs().stream().anyMatch(j -> j.schedule().isPresent())) {
            // a Quartz scheduler of its own (in memory: the schedule is the configuration, and what a run has done
            // is in the database), so several Ferry instances in one JVM never share one
            QuartzComponent quartz = new QuartzComponent();
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.instanceName", "ferry-replication-" + UUID.randomUUID());
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.threadPool.threadCount", "2");
            p.setProperty("org.quartz.threadPool.threadNamePrefix", "ferry-replication-schedule");
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            quartz.setProperties(p);
            beans.put("quartz", quartz);
        }
    }

    /** The beans to bind into Camel's registry before it starts. */
    public Map<String, Object> beans() {
        return beans;
    }

    public ReplicationService service() {
        return service;
    }

    /**
     * Once Camel has started: a run route per job and, on a server ({@code server}), a schedule route per job with a
     * schedule and the look-out for interrupted runs.
     *
     * @param selfUrl this Ferry's URL (the default target), or null to keep the one given at construction
     */
    public void start(CamelContext camel, String selfUrl, boolean server) throws Exception {
        if (selfUrl != null) {
            this.selfUrl = selfUrl;
        }
        producer = camel.createProducerTemplate();
        service.dispatcher(run -> producer.sendBody("direct:replication-run-" + run.job().name(), run));
        for (ReplicationJob job : service.jobs()) {
            TemplatedRouteBuilder.builder(camel, "replication-run").routeId("replication-run-" + job.name())
                    .parameter("job", job.name()).add();
            if (server && job.schedule().isPresent()) {
                TemplatedRouteBuilder.builder(camel, "replication-schedule")
                        .routeId("replication-schedule-" + job.name()).parameter("job", job.name())
                        .parameter("cron", job.schedule().get().strip().replaceAll("\\s+", "+")).add();
                LOG.info("replication job {}: scheduled '{}'", job.name(), job.schedule().get());
            }
        }
        service.startHousekeeping(server, Duration.ofSeconds(1));
    }

    /** This Ferry as a replication target: its bind address, loopback for a wildcard one. */
    public static String localUrl(String bindHost, int port) {
        String host = bindHost;
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port;
    }

    public void register(Router router) {
        new ReplicationApi(service).register(router);
    }

    /** Stops the runs first (they stay open for continuation), then the pools. */
    @Override
    public void close() {
        try {
            service.close();
        } finally {
            for (ExecutorService pool : pools.values()) {
                pool.shutdown();
                try {
                    if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        pool.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                }
            }
            if (producer != null) {
                try {
                    producer.close();
                } catch (java.io.IOException e) {
                    LOG.debug("closing the producer: {}", e.toString());
                }
            }
        }
    }
}
