package org.ferry.app;

import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The oslo.log and oslo.service options of {@code [DEFAULT]} that apply to the Ferry process rather than to the
 * image service: where and how it logs, and how long a stop may wait for work in progress.
 *
 * @param debug                   DEBUG level for Ferry's own loggers (INFO otherwise)
 * @param logFile                 log_file (under log_dir when both are set; log_dir alone means log_dir/ferry.log);
 *                                empty: standard output
 * @param useJson                 one JSON object per line instead of text
 * @param useStderr               also log to standard error
 * @param gracefulShutdownTimeout how long SIGTERM waits for requests, imports and replication runs; zero waits
 *                                as long as they take (oslo.service's meaning of 0)
 */
public record ServiceOptions(boolean debug, Optional<Path> logFile, boolean useJson, boolean useStderr,
                             Duration gracefulShutdownTimeout) {

    public static ServiceOptions defaults() {
        return new ServiceOptions(false, Optional.empty(), false, false, Duration.ofSeconds(60));
    }

    /** @param baseDir where a relative log_file or log_dir resolves (the working directory, as in oslo.log) */
    public static ServiceOptions from(IniFile ini, Path baseDir) {
        ConfigReader r = new ConfigReader(ini);
        String d = "DEFAULT";
        Optional<String> file = r.optional(d, "log_file");
        Optional<String> dir = r.optional(d, "log_dir");
        Optional<Path> logFile;
        if (file.isPresent()) {
            logFile = Optional.of(baseDir.resolve(dir.map(x -> Path.of(x).resolve(file.get()).toString())
                    .orElse(file.get())).normalize());
        } else {
            logFile = dir.map(x -> baseDir.resolve(x).resolve("ferry.log").normalize());
        }
        return new ServiceOptions(r.bool(d, "debug", false), logFile, r.bool(d, "use_json", false),
                r.bool(d, "use_stderr", false), Duration.ofSeconds(r.integer(d, "graceful_shutdown_timeout", 60, 0)));
    }
}
