package org.ferry.app;

import okhttp3.OkHttpClient;
import org.apache.camel.main.Main;
import org.ferry.catalog.Refused;
import org.ferry.config.ConfigException;
import org.ferry.catalog.Database;
import org.ferry.replication.api.ProgressReporter;
import org.ferry.replication.run.ReplicationJob;
import org.ferry.replication.run.ReplicationService;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.replication.run.RunImage;
import org.ferry.replication.run.RunRecord;
import org.ferry.replication.Replication;
import org.ferry.replication.config.ReplicationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code ferry replicate --job NAME [--config-file F]}: one run of a job in the foreground (continuing the job's
 * interrupted run, if there is one), with a progress bar of images and bytes on the error stream and a summary on
 * the output. It needs the job's database (to record the run and hold the job's guard, so it never overlaps a
 * scheduled run) and a reachable target.
 */
@Command(name = "replicate", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Runs a replication job once, in the foreground, with a progress bar.",
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:every image copied, updated or already up to date",
                "1:an image failed or conflicted, a source could not be listed, or the run failed or was stopped",
                "2:bad configuration, unknown job, or the database cannot be opened",
                "3:a run of the job is already going on (here or on another node)"})
public final class ReplicateCommand implements Callable<Integer> {
    public static final int OK = 0;
    public static final int IMAGES_FAILED = 1;
    public static final int BAD_SETUP = 2;
    public static final int ALREADY_RUNNING = 3;

    @Option(names = "--job", required = true, paramLabel = "NAME", description = "the job ([replication:NAME])")
    String job;

    @Option(names = "--config-file", paramLabel = "FILE", defaultValue = "conf/ferry.conf",
            description = "glance-api.conf style configuration (default: ${DEFAULT-VALUE})")
    Path configFile;

    @Option(names = {"-v", "--verbose"}, description = "log every step (INFO) instead of warnings only")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // the log would run through the progress bar and the summary: warnings only, unless asked
        if (verbose || !(org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root)) {
            return replicate();
        }
        ch.qos.logback.classic.Level level = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            return replicate();
        } finally {
            root.setLevel(level);
        }
    }

    private int replicate() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FerryConfig config;
        try {
            config = FerryConfig.load(configFile);
        } catch (ConfigException e) {
            err.println("ferry replicate: bad configuration in " + configFile + ": " + e.getMessage());
            return BAD_SETUP;
        }
        ReplicationConfig rc = config.replication();
        if (rc.job(job).isEmpty()) {
            err.println("ferry replicate: no job '" + job + "' in [replication] jobs of " + configFile
                    + " (configured: " + (rc.jobs().isEmpty() ? "none"
                    : rc.jobs().stream().map(ReplicationJob::name).collect(Collectors.joining(", "))) + ")");
            return BAD_SETUP;
        }
        Database db;
        try {
            db = Database.open(config.databaseUrl(), 4);
        } catch (RuntimeException e) {
            err.println("ferry replicate: cannot open the database " + config.databaseUrl() + ": " + e.getMessage()
                    + (config.databaseUrl().startsWith("jdbc:h2:file:") ? " (a running Ferry keeps its H2 file "
                    + "locked: use POST /ferry/replication/jobs/" + job + "/run there, or PostgreSQL)" : ""));
            return BAD_SETUP;
        }
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(config.remoteConnectTimeoutSeconds()))
                .readTimeout(Duration.ofSeconds(config.remoteReadTimeoutSeconds())).build();
        Replication replication = new Replication(rc, db, http, config.noAuthRegions(), selfUrl(config),
                Clock.systemUTC());
        Main camel = new Main();
        try {
            camel.configure().withRoutesIncludePattern("classpath:routes/replication.camel.yaml");
            camel.configure().withStreamCachingEnabled(false);
            camel.configure().withName("ferry-replicate");
            replication.beans().forEach(camel::bind);
            camel.start();
            replication.start(camel.getCamelContext(), null, false);
            ProgressReporter progress = new ProgressReporter(err, "replicate " + job, width());
            err.println("ferry replicate: job " + job + ": listing " + rc.job(job).get().sourceRegions() + " ...");
            err.flush();
            // Ctrl-C stops the run cleanly: its images stay open for the next run and the job's guard is freed
            Thread stopOnExit = new Thread(replication::close, "ferry-replicate-stop");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            RunRecord run;
            try {
                run = replication.service().runInForeground(job, ReplicationService.CLI, progress);
            } catch (Refused e) {
                err.println("ferry replicate: " + e.getMessage());
                return e.status() == 409 ? ALREADY_RUNNING : BAD_SETUP;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
            if (run.running()) {
                out.println("job " + job + ", run " + run.id() + ": stopped; the next run of the job continues it");
                out.flush();
                return IMAGES_FAILED;
            }
            summary(out, replication.service().store(), run);
            return RunRecord.SUCCEEDED.equals(run.status()) ? OK : IMAGES_FAILED;
        } finally {
            replication.close();
            camel.stop();
            db.close();
        }
    }

    private static void summary(PrintWriter out, ReplicationStore store, RunRecord run) {
        RunRecord.Counts c = run.counts();
        out.println("job " + run.job() + ", run " + run.id() + ": " + run.status()
                + (run.continued() > 0 ? " (continued an interrupted run)" : ""));
        out.println("  images: " + c.seen() + " seen, " + c.copied() + " copied, " + c.updated() + " updated, "
                + c.skipped() + " skipped, " + c.conflicts() + " conflicts, " + c.failed() + " failed, "
                + c.vanished() + " vanished, " + c.deleted() + " deleted");
        out.println("  bytes copied: " + c.bytes() + " (" + ProgressReporter.mib(c.bytes()) + ")");
        if (run.message() != null) {
            out.println("  note: " + run.message());
        }
        for (RunImage i : store.problems(run.id(), 1000)) {
            out.println("  " + i.status().db() + ": " + i.imageId() + (i.name() == null ? "" : " (" + i.name() + ")")
                    + " from " + i.sourceRegion() + ": " + i.detail());
        }
        out.flush();
    }

    /** The target when a job names none: the running Ferry of this configuration, at its bind address. */
    static String selfUrl(FerryConfig config) {
        if (config.bindPort() == 0) {
            return config.publicEndpoint().orElse(null);
        }
        return Replication.localUrl(config.bindHost(), config.bindPort());
    }

    private static int width() {
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120").strip());
            return Math.max(60, columns - 1);
        } catch (NumberFormatException e) {
            return 119;
        }
    }
}
