package org.ferry.app;

import org.ferry.config.IniFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Says at start-up which options of the config file have no effect, so a glance-api.conf carried over does not
 * silently lose settings. What is "known" is whatever the config readers looked up, never a list kept by hand;
 * only the options Ferry accepts on purpose without acting on them are named here, each with the reason.
 */
public final class UnusedOptions {
    private static final Logger LOG = LoggerFactory.getLogger(UnusedOptions.class);

    static final Map<IniFile.Option, String> ACCEPTED = Map.of(
            new IniFile.Option("DEFAULT", "workers"), "Ferry serves all requests from one process with threads",
            new IniFile.Option("keystone_authtoken", "auth_type"), "Ferry's service user authenticates with a password",
            new IniFile.Option("keystone_authtoken", "memcached_servers"), "validated tokens are cached in Ferry's memory",
            new IniFile.Option("oslo_concurrency", "lock_path"), "images are locked in the catalog database");

    private UnusedOptions() {
    }

    /** Logs one line per option: a warning, or the reason it is accepted and ignored. */
    public static void report(List<IniFile.Option> unread) {
        for (IniFile.Option o : unread) {
            String reason = ACCEPTED.get(o);
            if (reason != null) {
                LOG.info("{} is accepted and ignored: {}", o, reason);
            } else {
                LOG.warn("{} is not an option Ferry implements: it has no effect", o);
            }
        }
    }
}
