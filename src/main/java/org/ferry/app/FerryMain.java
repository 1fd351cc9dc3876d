package org.ferry.app;

import org.ferry.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar ferry.jar [--config-file FILE]}: runs Ferry until it is stopped. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = {"Ferry: a Glance-compatible image service.",
                "Without a command, serves the Glance v2 API until stopped. SIGHUP reopens the log file and reloads "
                        + "the policy file and the logging options; SIGTERM stops, waiting up to [DEFAULT] "
                        + "graceful_shutdown_timeout for the work in progress."},
        subcommands = ReplicateCommand.class,
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:stopped", "1:could not start, or a stop ran out of time",
                "2:bad command line or configuration"})
public final class FerryMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(FerryMain.class);

    @Option(names = "--config-file", paramLabel = "FILE",
            description = "glance-api.conf style configuration (default: ${DEFAULT-VALUE})",
            defaultValue = "conf/ferry.conf")
    Path configFile;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FerryMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        LogSetup logging = new LogSetup();
        try {
            config = ServerConfig.load(configFile);
            logging.apply(config.service());
        } catch (ConfigException e) {
            System.err.println("ferry: bad configuration in " + configFile + ": " + e.getMessage());
            return 2;
        }
        LOG.info("Ferry {} starting with {}", FerryVersion.version(), configFile.toAbsolutePath());
        config.describe().forEach(line -> LOG.debug("config: {}", line));
        UnusedOptions.report(config.unread());
        Ferry ferry;
        try {
            ferry = Ferry.start(config.ferry());
        } catch (ConfigException e) {
            System.err.println("ferry: bad configuration in " + configFile + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            String why = startFailure(e, config.ferry());
            LOG.error("Ferry did not start: {}", why);
            LOG.debug("start-up failure", e);
            System.err.println("ferry: cannot start: " + why);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            new GracefulStop(ferry, config.service().gracefulShutdownTimeout()).run();
            stopped.countDown();
        }, "ferry-shutdown"));
        Reload reload = new Reload(configFile, logging, ferry);
        try {
            Signal.handle(new Signal("HUP"), signal -> reload.run());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled in this JVM ({}): it will not reload the configuration", e.getMessage());
        }
        stopped.await();
        return 0;
    }

    /** One line that says why the server did not come up; the stack trace is logged at DEBUG. */
    static String startFailure(Throwable e, FerryConfig config) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "cannot listen on " + config.bindHost() + ":" + config.bindPort() + " ([DEFAULT] bind_host, "
                        + "bind_port): " + t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null ? message : message + " (" + root.getMessage() + ")";
    }

    /** SIGHUP: read the config file again, reopen the log, apply the logging options and the policy file. */
    record Reload(Path configFile, LogSetup logging, Ferry ferry) implements Runnable {
        @Override
        public synchronized void run() {
            try {
                ServerConfig fresh = ServerConfig.load(configFile);
                logging.apply(fresh.service());
                ferry.reload(fresh.ferry());
                LOG.info("SIGHUP: reloaded {} (log level {}, log {}); other options take effect at the next start",
                        configFile, fresh.service().debug() ? "DEBUG" : "INFO",
                        fresh.service().logFile().map(Path::toString).orElse("on standard output"));
            } catch (RuntimeException e) {
                LOG.error("SIGHUP: configuration not reloaded, the current one stays in force: {}", e.getMessage());
            }
        }
    }
}
