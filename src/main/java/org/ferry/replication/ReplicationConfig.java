package org.ferry.replication;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import org.ferry.remote.EndpointUrls;
import org.ferry.replication.clients.Credentials;
import org.ferry.replication.run.ReplicationJob;
import org.quartz.CronExpression;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
    static final Set<String> VISIBILITIES = Set.of("public", "community", "shared", "private");
    static final Set<String> INTERFACES = Set.of("public", "internal", "admin");
    static final Set<String> JOB_OPTIONS = Set.of("source_regions", "target_region", "target_endpoint", "interface",
            "visibility", "owner", "tags", "properties", "schedule", "concurrency", "preserve_ids",
            "on_source_deleted", "import_timeout", "auth_url", "username", "password", "project_name",
            "user_domain_name", "project_domain_name", "application_credential_id", "application_credential_secret");

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

    public static ReplicationConfig parse(IniFile ini, Context ctx) {
        List<String> names = list(ini, SECTION, "jobs");
        int leaseSeconds = integer(ini, SECTION, "lease_seconds", 60, 5, 3600);
        for (String option : ini.section(SECTION).keySet()) {
            if (!option.equals("jobs") && !option.equals("lease_seconds")) {
                throw ConfigException.badValue(SECTION, option, raw(ini, SECTION, option),
                        "unknown option (known: jobs, lease_seconds)");
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        List<ReplicationJob> jobs = new ArrayList<>();
        for (String name : names) {
            if (!JOB_NAME.matcher(name).matches()) {
                throw ConfigException.badValue(SECTION, "jobs", raw(ini, SECTION, "jobs"),
                        "'" + name + "' is not a job name (letters, digits, '.', '_', '-'; up to 100)");
            }
            if (!seen.add(name)) {
                throw ConfigException.badValue(SECTION, "jobs", raw(ini, SECTION, "jobs"), "job '" + name + "' appears twice");
            }
            String section = SECTION + ":" + name;
            if (!ini.hasSection(section)) {
                throw ConfigException.badValue(SECTION, "jobs", raw(ini, SECTION, "jobs"),
                        "job '" + name + "' has no [" + section + "] section");
            }
            jobs.add(job(ini, name, section, ctx));
        }
        return new ReplicationConfig(List.copyOf(jobs), Duration.ofSeconds(leaseSeconds));
    }

    private static ReplicationJob job(IniFile ini, String name, String s, Context ctx) {
        for (String option : ini.section(s).keySet()) {
            if (!JOB_OPTIONS.contains(option)) {
                throw ConfigException.badValue(s, option, raw(ini, s, option), "unknown option");
            }
        }
        List<String> sources = list(ini, s, "source_regions");
        if (sources.isEmpty()) {
            throw ConfigException.badValue(s, "source_regions", raw(ini, s, "source_regions"),
                    "at least one source region is required");
        }
        if (new LinkedHashSet<>(sources).size() != sources.size()) {
            throw ConfigException.badValue(s, "source_regions", raw(ini, s, "source_regions"), "a region appears twice");
        }
        Optional<String> targetRegion = optional(ini, s, "target_region");
        Optional<String> targetEndpoint = optional(ini, s, "target_endpoint").map(EndpointUrls::trimmed);
        if (targetRegion.isPresent() && targetEndpoint.isPresent()) {
            throw ConfigException.badValue(s, "target_endpoint", raw(ini, s, "target_endpoint"),
                    "set target_region or target_endpoint, not both");
        }
        targetEndpoint.ifPresent(u -> requireUrl(s, "target_endpoint", u));
        if (targetRegion.isPresent() && sources.stream().anyMatch(r -> r.equalsIgnoreCase(targetRegion.get()))) {
            throw ConfigException.badValue(s, "target_region", targetRegion.get(), "is also a source region");
        }
        String iface = optional(ini, s, "interface").orElse("public").toLowerCase(Locale.ROOT);
        if (!INTERFACES.contains(iface)) {
            throw ConfigException.badValue(s, "interface", raw(ini, s, "interface"), "must be public, internal or admin");
        }
        List<String> visibilities = ini.get(s, "visibility").isPresent() ? list(ini, s, "visibility") : List.of("public");
        if (visibilities.isEmpty() || !VISIBILITIES.containsAll(visibilities)) {
            throw ConfigException.badValue(s, "visibility", raw(ini, s, "visibility"),
                    "must be a list of public, community, shared, private");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String item : list(ini, s, "properties")) {
            int c = item.indexOf(':');
            if (c <= 0) {
                throw ConfigException.badValue(s, "properties", raw(ini, s, "properties"),
                        "'" + item + "' is not key:value");
            }
            properties.put(item.substring(0, c).strip(), item.substring(c + 1).strip());
        }
        ReplicationJob.Selection selection = new ReplicationJob.Selection(List.copyOf(visibilities),
                optional(ini, s, "owner"), list(ini, s, "tags"), Map.copyOf(properties));

        Optional<String> schedule = optional(ini, s, "schedule");
        if (schedule.isPresent() && !CronExpression.isValidExpression(schedule.get())) {
            String why;
            try {
                CronExpression.validateExpression(schedule.get());
                why = "not a Quartz cron expression";
            } catch (java.text.ParseException e) {
                why = "not a Quartz cron expression (" + e.getMessage() + ")";
            }
            throw ConfigException.badValue(s, "schedule", schedule.get(), why
                    + "; e.g. '0 0 3 * * ?' = daily at 03:00 (seconds minutes hours day-of-month month day-of-week)");
        }
        int concurrency = integer(ini, s, "concurrency", 2, 1, 64);
        boolean preserveIds = bool(ini, s, "preserve_ids", true);
        String deleted = optional(ini, s, "on_source_deleted").orElse("report").toLowerCase(Locale.ROOT);
        ReplicationJob.OnSourceDeleted onDeleted = switch (deleted) {
            case "report" -> ReplicationJob.OnSourceDeleted.REPORT;
            case "delete" -> ReplicationJob.OnSourceDeleted.DELETE;
            default -> throw ConfigException.badValue(s, "on_source_deleted", raw(ini, s, "on_source_deleted"),
                    "must be report or delete");
        };
        int importTimeout = integer(ini, s, "import_timeout", 21600, 10, Integer.MAX_VALUE);

        Credentials credentials = credentials(ini, s);
        if (!credentials.keystone()) {
            for (String region : sources) {
                requireNoAuthRegion(ctx, s, "source_regions", raw(ini, s, "source_regions"), region, iface);
            }
            if (targetRegion.isPresent()) {
                requireNoAuthRegion(ctx, s, "target_region", targetRegion.get(), targetRegion.get(), iface);
            }
        }
        boolean self = targetRegion.isEmpty() && targetEndpoint.isEmpty();
        if (self && ctx.selfKeystone() && !credentials.keystone()) {
            throw ConfigException.badValue(s, "auth_url", "", "the target is this Ferry, which validates Keystone "
                    + "tokens ([paste_deploy] flavor = keystone): the job needs credentials");
        }
        if (self && !ctx.selfImportMethods().contains("glance-download")) {
            throw ConfigException.badValue(s, "target_region", "", "the target is this Ferry, whose "
                    + "[DEFAULT] enabled_import_methods lacks glance-download");
        }
        return new ReplicationJob(name, List.copyOf(sources), targetRegion, targetEndpoint, iface, selection, schedule,
                concurrency, preserveIds, onDeleted, Duration.ofSeconds(importTimeout), credentials);
    }

    private static Credentials credentials(IniFile ini, String s) {
        Optional<String> authUrl = optional(ini, s, "auth_url").map(EndpointUrls::trimmed);
        Optional<String> appId = optional(ini, s, "application_credential_id");
        Optional<String> appSecret = optional(ini, s, "application_credential_secret");
        Optional<String> user = optional(ini, s, "username");
        if (authUrl.isEmpty()) {
            for (String o : List.of("username", "password", "project_name", "application_credential_id",
                    "application_credential_secret")) {
                if (optional(ini, s, o).isPresent()) {
                    throw ConfigException.badValue(s, "auth_url", "", o + " is set, so auth_url is required");
                }
            }
            return new Credentials.None();
        }
        requireUrl(s, "auth_url", authUrl.get());
        if (appId.isPresent() || appSecret.isPresent()) {
            if (user.isPresent()) {
                throw ConfigException.badValue(s, "username", user.get(),
                        "set either username/password or application_credential_id/secret, not both");
            }
            if (appId.isEmpty() || appSecret.isEmpty()) {
                String missing = appId.isEmpty() ? "application_credential_id" : "application_credential_secret";
                throw ConfigException.badValue(s, missing, "", "required with the other application credential option");
            }
            return new Credentials.ApplicationCredential(authUrl.get(), appId.get(), appSecret.get());
        }
        for (String o : List.of("username", "password", "project_name")) {
            if (optional(ini, s, o).isEmpty()) {
                throw ConfigException.badValue(s, o, "", "required with auth_url (or use application_credential_id "
                        + "and application_credential_secret)");
            }
        }
        return new Credentials.Password(authUrl.get(), user.get(), optional(ini, s, "password").get(),
                optional(ini, s, "project_name").get(), optional(ini, s, "user_domain_name").orElse("Default"),
                optional(ini, s, "project_domain_name").orElse("Default"));
    }

    private static void requireNoAuthRegion(Context ctx, String s, String option, String value, String region,
                                            String iface) {
        Map<String, String> ifaces = ctx.noAuthRegions().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(region)).map(Map.Entry::getValue).findFirst().orElse(null);
        if (ifaces == null || !ifaces.containsKey(iface)) {
            throw ConfigException.badValue(s, option, value, "region " + region + " (" + iface + " interface) is not "
                    + "in [glance_download_regions]; without auth_url the job finds regions there");
        }
    }

    private static void requireUrl(String s, String option, String url) {
        if (!url.startsWith("http://") && !url.startsWith("https://") || okhttp3.HttpUrl.parse(url) == null) {
            throw ConfigException.badValue(s, option, url, "not an http(s) URL");
        }
    }

    private static String raw(IniFile ini, String s, String o) {
        return ini.get(s, o).orElse("");
    }

    private static Optional<String> optional(IniFile ini, String s, String o) {
        return ini.get(s, o).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static List<String> list(IniFile ini, String s, String o) {
        String v = ini.get(s, o).orElse("").strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        return Arrays.stream(v.split("[,\n]")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static boolean bool(IniFile ini, String s, String o, boolean def) {
        Optional<String> v = optional(ini, s, o);
        if (v.isEmpty()) {
            return def;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw ConfigException.badValue(s, o, v.get(), "not a boolean (true or false)");
        };
    }

    private static int integer(IniFile ini, String s, String o, int def, int min, int max) {
        Optional<String> v = optional(ini, s, o);
        if (v.isEmpty()) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw ConfigException.badValue(s, o, v.get(), "not an integer");
        }
        if (n < min || n > max) {
            throw ConfigException.badValue(s, o, v.get(), max == Integer.MAX_VALUE ? "must be at least " + min
                    : "must be between " + min + " and " + max);
        }
        return (int) n;
    }
}
