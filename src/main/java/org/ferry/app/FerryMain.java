package org.ferry.app;

import org.ferry.replication.ReplicateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar ferry.jar [--config-file FILE]}: runs Ferry until it is stopped. */
@Command(name = "ferry", mixinStandardHelpOptions = true,
        description = "Ferry: a Glance-compatible image service.",
        subcommands = ReplicateCommand.class)
public final class FerryMain implements Callable<Integer> {
    @Option(names = "--config-file", description = "glance-api.conf style configuration (default: ${DEFAULT-VALUE})",
            defaultValue = "conf/ferry.conf")
    Path configFile;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FerryMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FerryConfig config;
        try {
            config = FerryConfig.load(configFile);
        } catch (ConfigException e) {
            System.err.println("ferry: bad configuration in " + configFile + ": " + e.getMessage());
            return 2;
        }
        Ferry ferry = Ferry.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ferry.close();
            stopped.countDown();
        }, "ferry-shutdown"));
        stopped.await();
        return 0;
    }
}
