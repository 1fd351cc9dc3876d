package org.ferry.app;

import org.ferry.config.ConfigException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Applies the logging options of the config file to logback (logback.xml only sets the quiet levels of the
 * libraries), at start-up and again on SIGHUP: the log file is opened anew (so a file moved away by logrotate is
 * replaced), the format and Ferry's level follow the file. Lines go to log_file when it is set, else to standard
 * output; use_stderr adds standard error, as in oslo.log.
 */
public final class LogSetup {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} %X{request_id} - %msg%n";
    private static final String FERRY_LOGGERS = "org.ferry";

    private final LoggerContext context;

    public LogSetup() {
        this.context = (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    public synchronized void apply(ServiceOptions options) {
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> old = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            old.add(it.next());
        }
        // the new appenders are attached before the old ones go, so no line is lost while the switch happens
        List<OutputStreamAppender<ILoggingEvent>> fresh = appenders(options);
        for (OutputStreamAppender<ILoggingEvent> a : fresh) {
            a.start();
            if (!a.isStarted()) {
                fresh.forEach(Appender::stop);
                throw ConfigException.badValue("DEFAULT", "log_file", options.logFile().map(Object::toString).orElse(""),
                        "cannot be opened for writing");
            }
        }
        fresh.forEach(root::addAppender);
        for (Appender<ILoggingEvent> a : old) {
            root.detachAppender(a);
            a.stop();
        }
        context.getLogger(FERRY_LOGGERS).setLevel(options.debug() ? Level.DEBUG : null);
    }

    private List<OutputStreamAppender<ILoggingEvent>> appenders(ServiceOptions options) {
        List<OutputStreamAppender<ILoggingEvent>> out = new ArrayList<>();
        if (options.logFile().isPresent()) {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setName("file");
            file.setFile(options.logFile().get().toString());
            file.setAppend(true);
            file.setPrudent(false);
            out.add(file);
        } else {
            ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
            stdout.setName("stdout");
            out.add(stdout);
        }
        if (options.useStderr()) {
            ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
            stderr.setName("stderr");
            stderr.setTarget("System.err");
            out.add(stderr);
        }
        for (OutputStreamAppender<ILoggingEvent> a : out) {
            a.setContext(context);
            a.setEncoder(encoder(options.useJson()));
        }
        return out;
    }

    private Encoder<ILoggingEvent> encoder(boolean json) {
        if (json) {
            JsonLogLayout layout = new JsonLogLayout();
            layout.setContext(context);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> e = new LayoutWrappingEncoder<>();
            e.setContext(context);
            e.setLayout(layout);
            e.start();
            return e;
        }
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(PATTERN);
        e.start();
        return e;
    }
}
