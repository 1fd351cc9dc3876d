package org.ferry.replication.config;

import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.replication.run.ReplicationJob;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code [replication] jobs = a, b} and one {@code [replication:<name>]} section per job. Every value is checked
 * here, so a bad one fails start-up (and the {@code replicate} command) naming its section, option and value.
 *
 * @param lease how long a run's guard holds without a heartbeat: a run on a node that died is continued elsewhere
 *              (or after the restart) once this has passed
 */
public record ReplicationConfig(List<ReplicationJob> jobs, Duration lease) {
    public static final String SECTION = "replication";
    static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    public static ReplicationConfig none() {
        return new ReplicationConfig(List.of(), Duration.ofSeconds(60));
    }

    public Optional<ReplicationJob> job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }

    /**
     * What the rest of the configuration tells the job checks.
     *
     * @param noAuthRegions   [glance_download_regions]: region → interface → URL
     * @param selfKeystone    this Ferry validates tokens (a job targeting it needs credentials)
     * @param selfImportMethods this Ferry's enabled_import_methods (a job targeting it needs glance-download)
     */
    public record Context(Map<String, Map<String, String>> noAuthRegions, boolean selfKeystone,
                          List<String> selfImportMethods) {
    }

    public static ReplicationConfig parse(ConfigReader r, Context ctx) {
        List<String> names = r.list(SECTION, "jobs");
        Duration lease = r.seconds(SECTION, "lease_seconds", 60, 5, 3600);
        for (String option : r.options(SECTION)) {
            if (!option.equals("jobs") && !option.equals("lease_seconds")) {
                throw ConfigException.badValue(SECTION, option, r.raw(SECTION, option),
                        "unknown option (known: jobs, lease_seconds)");
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        List<ReplicationJob> jobs = new ArrayList<>();
        for (String name : names) {
            if (!JOB_NAME.matcher(name).matches()) {
                throw ConfigException.badValue(SECTION, "jobs", r.raw(SECTION, "jobs"),
                        "'" + name + "' is not a job name (letters, digits, '.', '_', '-'; up to 100)");
            }
            if (!seen.add(name)) {
                throw ConfigException.badValue(SECTION, "jobs", r.raw(SECTION, "jobs"), "job '" + name + "' appears twice");
            }
            String section = SECTION + ":" + name;
            if (!r.hasSection(section)) {
                throw ConfigException.badValue(SECTION, "jobs", r.raw(SECTION, "jobs"),
                        "job '" + name + "' has no [" + section + "] section");
            }
            jobs.add(JobOptions.read(r, name, section, ctx));
        }
        return new ReplicationConfig(List.copyOf(jobs), lease);
    }
}
