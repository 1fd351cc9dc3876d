package org.ferry.replication.config;

import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.config.EndpointUrls;
import org.ferry.replication.clients.Credentials;
import org.ferry.replication.run.ReplicationJob;
import org.quartz.CronExpression;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One {@code [replication:<name>]} section: the job's options and its credentials, each checked. */
final class JobOptions {
    static final Set<String> VISIBILITIES = Set.of("public", "community", "shared", "private");
    static final Set<String> INTERFACES = Set.of("public", "internal", "admin");
    static final Set<String> OPTIONS = Set.of("source_regions", "target_region", "target_endpoint", "interface",
            "visibility", "owner", "tags", "properties", "schedule", "concurrency", "preserve_ids",
            "on_source_deleted", "import_timeout", "auth_url", "username", "password", "project_name",
            "user_domain_name", "project_domain_name", "application_credential_id", "application_credential_secret");

    private JobOptions() {
    }

    static ReplicationJob read(ConfigReader r, String name, String s, ReplicationConfig.Context ctx) {
        for (String option : r.options(s)) {
            if (!OPTIONS.contains(option)) {
                throw ConfigException.badValue(s, option, r.raw(s, option), "unknown option");
            }
        }
        List<String> sources = r.list(s, "source_regions");
        if (sources.isEmpty()) {
            throw ConfigException.badValue(s, "source_regions", r.raw(s, "source_regions"),
                    "at least one source region is required");
        }
        if (new LinkedHashSet<>(sources).size() != sources.size()) {
            throw ConfigException.badValue(s, "source_regions", r.raw(s, "source_regions"), "a region appears twice");
        }
        Optional<String> targetRegion = r.optional(s, "target_region");
        Optional<String> targetEndpoint = r.optional(s, "target_endpoint").map(EndpointUrls::trimmed);
        if (targetRegion.isPresent() && targetEndpoint.isPresent()) {
            throw ConfigException.badValue(s, "target_endpoint", r.raw(s, "target_endpoint"),
                    "set target_region or target_endpoint, not both");
        }
        targetEndpoint.ifPresent(u -> requireUrl(s, "target_endpoint", u));
        if (targetRegion.isPresent()
                && sources.stream().anyMatch(region -> region.equalsIgnoreCase(targetRegion.get()))) {
            throw ConfigException.badValue(s, "target_region", targetRegion.get(), "is also a source region");
        }
        String iface = r.optional(s, "interface").orElse("public").toLowerCase(Locale.ROOT);
        if (!INTERFACES.contains(iface)) {
            throw ConfigException.badValue(s, "interface", r.raw(s, "interface"), "must be public, internal or admin");
        }
        List<String> visibilities = r.list(s, "visibility", List.of("public"));
        if (visibilities.isEmpty() || !VISIBILITIES.containsAll(visibilities)) {
            throw ConfigException.badValue(s, "visibility", r.raw(s, "visibility"),
                    "must be a list of public, community, shared, private");
        }
        Map<String, String> properties = r.dict(s, "properties");
        ReplicationJob.Selection selection = new ReplicationJob.Selection(List.copyOf(visibilities),
                r.optional(s, "owner"), r.list(s, "tags"), Map.copyOf(properties));

        Optional<String> schedule = r.optional(s, "schedule");
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
        int concurrency = r.integer(s, "concurrency", 2, 1, 64);
        boolean preserveIds = r.bool(s, "preserve_ids", true);
        String deleted = r.optional(s, "on_source_deleted").orElse("report").toLowerCase(Locale.ROOT);
        ReplicationJob.OnSourceDeleted onDeleted = switch (deleted) {
            case "report" -> ReplicationJob.OnSourceDeleted.REPORT;
            case "delete" -> ReplicationJob.OnSourceDeleted.DELETE;
            default -> throw ConfigException.badValue(s, "on_source_deleted", r.raw(s, "on_source_deleted"),
                    "must be report or delete");
        };
        Duration importTimeout = r.seconds(s, "import_timeout", 21600, 10, Integer.MAX_VALUE);

        Credentials credentials = credentials(r, s);
        if (!credentials.keystone()) {
            for (String region : sources) {
                requireNoAuthRegion(ctx, s, "source_regions", r.raw(s, "source_regions"), region, iface);
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
                concurrency, preserveIds, onDeleted, importTimeout, credentials);
    }

    private static Credentials credentials(ConfigReader r, String s) {
        Optional<String> authUrl = r.optional(s, "auth_url").map(EndpointUrls::trimmed);
        Optional<String> appId = r.optional(s, "application_credential_id");
        Optional<String> appSecret = r.optional(s, "application_credential_secret");
        Optional<String> user = r.optional(s, "username");
        if (authUrl.isEmpty()) {
            for (String o : List.of("username", "password", "project_name", "application_credential_id",
                    "application_credential_secret")) {
                if (r.optional(s, o).isPresent()) {
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
            if (r.optional(s, o).isEmpty()) {
                throw ConfigException.badValue(s, o, "", "required with auth_url (or use application_credential_id "
                        + "and application_credential_secret)");
            }
        }
        return new Credentials.Password(authUrl.get(), user.get(), r.optional(s, "password").get(),
                r.optional(s, "project_name").get(), r.optional(s, "user_domain_name").orElse("Default"),
                r.optional(s, "project_domain_name").orElse("Default"));
    }

    private static void requireNoAuthRegion(ReplicationConfig.Context ctx, String s, String option, String value, String region,
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

}
