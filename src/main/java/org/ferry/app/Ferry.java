package org.ferry.app;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import okhttp3.OkHttpClient;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.ferry.http.FrontHandler;
import org.ferry.api.ImageGuard;
import org.ferry.api.ImageView;
import org.ferry.api.ImagesApi;
import org.ferry.api.InfoApi;
import org.ferry.api.LocationsApi;
import org.ferry.api.MembersApi;
import org.ferry.http.Router;
import org.ferry.api.Schemas;
import org.ferry.api.TasksApi;
import org.ferry.api.VersionsApi;
import org.ferry.auth.Authenticator;
import org.ferry.auth.KeystoneAuthenticator;
import org.ferry.auth.NoAuthAuthenticator;
import org.ferry.auth.Policy;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Database;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.LocationRepository;
import org.ferry.catalog.MemberRepository;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.api.ImageDataApi;
import org.ferry.api.ImportApi;
import org.ferry.flow.ActivateImage;
import org.ferry.flow.AddLocation;
import org.ferry.flow.BaseImageCopies;
import org.ferry.flow.Callers;
import org.ferry.flow.CommitToStores;
import org.ferry.flow.StoreAcls;
import org.ferry.flow.CompleteLocationImport;
import org.ferry.flow.CompleteTask;
import org.ferry.flow.CopyToStaging;
import org.ferry.flow.DeleteStaging;
import org.ferry.flow.DownloadFromGlance;
import org.ferry.flow.DownloadFromUri;
import org.ferry.flow.FetchRemoteMetadata;
import org.ferry.flow.HashLocation;
import org.ferry.flow.ImportFlow;
import org.ferry.flow.ImportScheduler;
import org.ferry.flow.ImportService;
import org.ferry.flow.UnfinishedStoreWrites;
import org.ferry.flow.LocationHasher;
import org.ferry.flow.LocationImportFlow;
import org.ferry.flow.LocationImports;
import org.ferry.flow.LockImage;
import org.ferry.flow.RequireTargetStores;
import org.ferry.flow.RestoreImageOnFailure;
import org.ferry.flow.VerifyLocationData;
import org.ferry.flow.VerifyImageState;
import org.ferry.flow.VerifyStaging;
import org.ferry.remote.SafeHttp;
import org.ferry.remote.UriFilter;
import org.ferry.replication.Replication;
import org.ferry.store.FileStore;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A running Ferry: catalog, stores, Camel routes and the HTTP server, wired in one place. */
public final class Ferry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ferry.class);

    private final Database database;
    private final Main camel;
    private final ImportScheduler scheduler;
    private final Undertow server;
    private final ExecutorService digestThreads;
    private final ExecutorService commitPool;
    private final int port;
    private final Replication replication;
    private final Observability observability;
    private final Integer metricsPort;
    private final Policy policy;
    private final RequestDrain drain;

    private Ferry(Database database, Main camel, ImportScheduler scheduler, Undertow server,
                  ExecutorService digestThreads, ExecutorService commitPool, int port, Replication replication,
                  Observability observability, Integer metricsPort, Policy policy, RequestDrain drain) {
        this.replication = replication;
        this.observability = observability;
        this.metricsPort = metricsPort;
        this.policy = policy;
        this.drain = drain;
        this.database = database;
        this.camel = camel;
        this.scheduler = scheduler;
        this.server = server;
        this.digestThreads = digestThreads;
        this.commitPool = commitPool;
        this.port = port;
    }

    private static List<String> fileStores(StoreRegistry stores, boolean directIo) {
        List<String> ids = new ArrayList<>();
        for (Store s : stores.all()) {
            if (s instanceof FileStore f && f.directIo() == directIo) {
                ids.add(s.id());
            }
        }
        if (stores.staging().directIo() == directIo) {
            ids.add(stores.staging().id());
        }
        return ids;
    }

    public static Ferry start(FerryConfig config) throws Exception {
        Database db = Database.open(config.databaseUrl(), 16);
        ExecutorService digests = Executors.newCachedThreadPool(daemon("ferry-digest"));
        Main camel = new Main();
        ImportScheduler scheduler = null;
        ExecutorService commitPool = null;
        Replication replication = null;
        Observability observability = new Observability(config);
        try {
            ImageRepository images = new ImageRepository(db.jdbi());
            TaskRepository tasks = new TaskRepository(db.jdbi());
            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
                    .readTimeout(Duration.ofSeconds(60)).build();
            StoreRegistry stores = StoreRegistry.from(config.storeSettings(), http);
            Policy policy = config.policyFile().map(Policy::load).orElseGet(Policy::defaults);
            logPolicy(config);
            java.util.Optional<java.nio.file.Path> imageSchema = ConfigFiles.standard(config.configDir())
                    .find("schema-image.json");
            LOG.info("Image schema: {}", imageSchema.map(p -> "typed extra properties from " + p).orElse(
                    "no schema-image.json in " + ConfigFiles.standard(config.configDir()).dirs()
                            + ", extra properties are untyped strings"));
            Schemas schemas = new Schemas(config.diskFormats(), config.containerFormats(), imageSchema);
            DataMover mover = new DataMover(digests, DataMover.DEFAULT_BUFFER_SIZE, DataMover.DEFAULT_BUFFERS);
            ImageGuard guard = new ImageGuard(images, policy);

            String javaHash = config.api().javaHashName();
            Duration ttl = Duration.ofHours(config.taskTimeToLiveHours());
            OkHttpClient remote = http.newBuilder().connectTimeout(Duration.ofSeconds(config.remoteConnectTimeoutSeconds()))
                    .readTimeout(Duration.ofSeconds(config.remoteReadTimeoutSeconds())).build();
            UriFilter filter = new UriFilter(config.importFiltering());
            SafeHttp safeHttp = new SafeHttp(remote, filter);
            Callers callers = new Callers();
            MemberRepository memberRows = new MemberRepository(db.jdbi());
            StoreAcls acls = new StoreAcls(images, memberRows, stores);
            ImportFlow flow = new ImportFlow(images, tasks, stores, callers, ttl, observability.imports());
            commitPool = Executors.newFixedThreadPool(8, daemon("ferry-store-commit"));

            camel.configure().withRoutesIncludePattern("classpath:routes/*.camel.yaml");
            camel.configure().withStreamCachingEnabled(false);
            camel.configure().withName("ferry");
            // Camel's registry is filled here, one camel.bind per bean, by the names the route files use (the route
            // policy is found by its type)
            camel.bind("ferryRouteMetrics", observability.routeMetrics());
            // routes/import-*.camel.yaml
            camel.bind("importFlow", flow);
            for (RestoreImageOnFailure.Outcome o : RestoreImageOnFailure.Outcome.values()) {
                camel.bind(o.stepName(), new RestoreImageOnFailure(images, stores, o));
            }
            camel.bind("lockImage", new LockImage(images, tasks));
            camel.bind("requireTargetStores", new RequireTargetStores());
            camel.bind("fetchRemoteMetadata", new FetchRemoteMetadata(images, safeHttp,
                    config.glanceDownloadExtraProperties(), config.hashingAlgorithm(), config.imageSizeCap()));
            camel.bind("downloadFromGlance", new DownloadFromGlance(stores, safeHttp, mover, tasks,
                    javaHash, config.hashingAlgorithm(), config.imageSizeCap()));
            camel.bind("downloadFromUri", new DownloadFromUri(stores, safeHttp, mover, tasks,
                    javaHash, config.hashingAlgorithm(), config.imageSizeCap()));
            camel.bind("copyToStaging", new CopyToStaging(stores, images, mover, tasks, javaHash, config.hashingAlgorithm()));
            camel.bind("verifyStaging", new VerifyStaging(stores.staging(), images, mover, javaHash, config.hashingAlgorithm()));
            camel.bind("commitToStores", new CommitToStores(stores, images, commitPool, acls));
            camel.bind("verifyImageState", new VerifyImageState(images));
            camel.bind("deleteStaging", new DeleteStaging(stores.staging()));
            camel.bind("completeTask", new CompleteTask(tasks, images, ttl));
            // routes/location-import.camel.yaml
            LocationHasher hasher = new LocationHasher(mover, images, tasks, config.httpRetries());
            camel.bind("locationImportFlow", new LocationImportFlow(config.doSecureHash()));
            camel.bind("addLocation", new AddLocation(images, stores, config.quotas().imageLocationQuota()));
            camel.bind("verifyLocationData", new VerifyLocationData(images, stores, hasher));
            camel.bind("activateLocatedImage", new ActivateImage(images, config.doSecureHash()));
            camel.bind("hashLocation", new HashLocation(images, tasks, stores, hasher, config.hashingAlgorithm()));
            camel.bind("completeLocationImport", new CompleteLocationImport(tasks, images, ttl));
            // routes/replication.camel.yaml: the run's steps, a pool per job, Quartz when a job has a schedule
            replication = new Replication(config.replication(), db, remote, config.noAuthRegions(), null,
                    Clock.systemUTC());
            replication.beans().forEach(camel::bind);
            camel.start();
            CamelContext ctx = camel.getCamelContext();
            ProducerTemplate producer = ctx.createProducerTemplate();

            scheduler = new ImportScheduler(db.dataSource(), "ferry-" + Integer.toHexString(config.databaseUrl().hashCode()),
                    db.isPostgres(), 8, (taskId, recovering) ->
                    producer.sendBodyAndHeader("direct:import-task", taskId, "recovering", recovering));
            ImportService imports = new ImportService(images, tasks, flow, callers, scheduler, Clock.systemUTC());
            imports.sweepOrphans();
            scheduler.start();
            new UnfinishedStoreWrites(stores, images, Duration.ofSeconds(10), 18).sweepInBackground();

            Router router = new Router();
            new ImagesApi(config.api(), images, guard, new ImageView(config.showImageDirectUrl(),
                    config.showMultipleLocations(), stores), stores, schemas, new LocationRepository(db.jdbi()), acls)
                    .register(router);
            new MembersApi(memberRows, guard, config.quotas(), acls).register(router);
            new LocationsApi(guard, stores, new LocationImports(images, tasks, imports, scheduler, ttl),
                    config.hashingAlgorithm()).register(router);
            new ImageDataApi(config.api(), images, guard, stores, mover, new BaseImageCopies(images, imports), acls)
                    .register(router);
            new ImportApi(config.api(), guard, stores, imports, filter).register(router);
            new InfoApi(config.enabledImportMethods(), stores, policy, schemas).register(router);
            new TasksApi(tasks, guard, policy, config.api(), schemas, stores, imports, filter).register(router);
            replication.register(router);
            Authenticator authenticator = authenticator(config);
            observability.register(router, authenticator, db, stores, scheduler, ctx);

            FrontHandler front = new FrontHandler(router, authenticator,
                    new VersionsApi(config.publicEndpoint(), config.multistore()), config.maxRequestIdLength());
            RequestDrain drain = new RequestDrain(observability.observe(front));
            Undertow.Builder serverBuilder = Undertow.builder()
                    .addHttpListener(config.bindPort(), config.bindHost())
                    .setWorkerThreads(64)
                    .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                    .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                    .setHandler(drain);
            observability.addMetricsListener(serverBuilder);
            Undertow server = serverBuilder.build();
            server.start();
            Integer metricsPort = observability.metricsPort(server).orElse(null);
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            replication.start(ctx, Replication.localUrl(config.bindHost(), port), true);
            LOG.info("Ferry listening on http://{}:{} (stores: {}, auth: {})", config.bindHost(), port,
                    stores.all().stream().map(s -> s.id() + ":" + s.type()).toList(),
                    config.keystoneAuth() ? "keystone" : "none");
            LOG.info("Image files written with direct I/O in {}, through the page cache in {}",
                    fileStores(stores, true), fileStores(stores, false));
            if (metricsPort != null) {
                LOG.info("Prometheus metrics on http://{}:{}/metrics", config.metrics().bindHost(), metricsPort);
            }
            return new Ferry(db, camel, scheduler, server, digests, commitPool, port, replication, observability,
                    metricsPort, policy, drain);
        } catch (Exception | Error e) {
            if (replication != null) {
                replication.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            if (commitPool != null) {
                commitPool.shutdownNow();
            }
            camel.stop();
            digests.shutdownNow();
            observability.close();
            db.close();
            throw e;
        }
    }

    static Authenticator authenticator(FerryConfig config) {
        if (config.keystoneAuth()) {
            FerryConfig.Keystone k = config.keystone();
            return new KeystoneAuthenticator(new KeystoneAuthenticator.KeystoneSettings(k.authUrl(),
                    k.wwwAuthenticateUri(), k.username(), k.password(), k.projectName(), k.userDomainName(),
                    k.projectDomainName()), new KeystoneAuthenticator.ServiceTokenRoles(k.serviceTokenRoles(),
                    k.serviceTokenRolesRequired()), Duration.ofMinutes(5), Clock.systemUTC());
        }
        List<RequestContext.CatalogEndpoint> catalog = new ArrayList<>();
        config.noAuthRegions().forEach((region, ifaces) -> ifaces.forEach((iface, url) ->
                catalog.add(new RequestContext.CatalogEndpoint("image", "glance", region, iface, url))));
        return new NoAuthAuthenticator(catalog);
    }

    private static void logPolicy(FerryConfig config) {
        LOG.info("Policy: {}", config.policyFile().map(p -> "rules from " + p + " over Glance's defaults").orElse(
                "Glance's defaults (no policy.yaml in " + ConfigFiles.standard(config.configDir()).dirs() + ")"));
    }

    /**
     * What can change without a restart (SIGHUP): the policy rules, read again from the policy file. Requests keep
     * being served meanwhile; a file that does not load leaves the rules in force.
     */
    public void reload(FerryConfig fresh) {
        policy.replaceRules(fresh.policyFile().map(Policy::load).orElseGet(Policy::defaults));
        logPolicy(fresh);
    }

    /** The work a stop waits for. */
    public record Pending(int requests, List<String> imports, List<String> replicationRuns) {
        public boolean none() {
            return requests == 0 && imports.isEmpty() && replicationRuns.isEmpty();
        }

        @Override
        public String toString() {
            return requests + " request(s) in flight, " + imports.size() + " import(s) running " + imports + ", "
                    + replicationRuns.size() + " replication run(s) " + replicationRuns;
        }
    }

    public Pending pending() {
        List<String> imports;
        try {
            imports = scheduler.running();
        } catch (org.quartz.SchedulerException e) {
            imports = List.of("unknown: " + e.getMessage());
        }
        List<String> runs = new ArrayList<>();
        for (var job : replication.service().jobs()) {
            replication.service().active(job.name()).ifPresent(r -> runs.add(job.name() + " run " + r.runId()));
        }
        return new Pending(drain.inFlight(), imports, runs);
    }

    /**
     * The first step of a stop: no new imports start (they wait in the job store), replication runs stop (they stay
     * open to continue, and need this server while they stop), then new requests get 503.
     *
     * @return false when the replication runs did not stop within {@code bound}
     */
    boolean stopTakingWork(Duration bound) {
        try {
            scheduler.standby();
        } catch (org.quartz.SchedulerException e) {
            LOG.warn("could not stop starting imports: {}", e.toString());
        }
        Thread runsStop = new Thread(replication::close, "ferry-stop-replication");
        runsStop.start();
        try {
            runsStop.join(Math.max(1, bound.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain.shutdown();
        return !runsStop.isAlive();
    }

    public int port() {
        return port;
    }

    /** The port of the [metrics] listener, when bind_port is set. */
    public java.util.Optional<Integer> metricsPort() {
        return java.util.Optional.ofNullable(metricsPort);
    }

    public Replication replication() {
        return replication;
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        // replication runs stop first, while the target (this server) still answers: they stay open to continue
        replication.close();
        server.stop();
        try {
            scheduler.close();
            camel.stop();
        } finally {
            commitPool.shutdownNow();
            digestThreads.shutdownNow();
            try {
                digestThreads.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            observability.close();
            database.close();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
