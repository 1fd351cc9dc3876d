package org.ferry.app;

import org.ferry.api.ApiSettings;
import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.config.EndpointUrls;
import org.ferry.config.Quotas;
import org.ferry.data.HashAlgorithms;
import org.ferry.remote.ImportFiltering;
import org.ferry.replication.config.ReplicationConfig;
import org.ferry.store.StoreConfig;
import org.ferry.store.StoreRegistry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Ferry's configuration, read from a glance-api.conf style file with Glance's own option names.
 * Every value is checked here, so a bad one fails start-up naming its section, option and value.
 */
public record FerryConfig(
        String bindHost,
        int bindPort,
        Optional<String> publicEndpoint,
        Map<String, String> enabledBackends,
        List<String> enabledImportMethods,
        boolean showImageDirectUrl,
        boolean showMultipleLocations,
        long imageSizeCap,
        String hashingAlgorithm,
        Quotas quotas,
        int limitParamDefault,
        int apiLimitMax,
        int maxRequestIdLength,
        List<String> diskFormats,
        List<String> containerFormats,
        long taskTimeToLiveHours,
        int remoteConnectTimeoutSeconds,
        int remoteReadTimeoutSeconds,
        String defaultBackend,
        List<StoreConfig> stores,
        Path stagingDir,
        String databaseUrl,
        Keystone keystone,
        boolean keystoneAuth,
        List<String> glanceDownloadExtraProperties,
        ImportFiltering importFiltering,
        Optional<Path> policyFile,
        Map<String, Map<String, String>> noAuthRegions,
        Path configDir,
        boolean doSecureHash,
        int httpRetries,
        ReplicationConfig replication,
        Healthcheck healthcheck,
        Metrics metrics) {

    public static final Set<String> IMPORT_METHODS = Set.of("glance-direct", "web-download", "copy-image", "glance-download");
    public static final String STAGING_STORE = StoreRegistry.STAGING_STORE;
    public static final String TASKS_STORE = "os_glance_tasks_store";

    public record Keystone(String wwwAuthenticateUri, String authUrl, String username, String password,
                           String projectName, String userDomainName, String projectDomainName, String regionName,
                           List<String> serviceTokenRoles, boolean serviceTokenRolesRequired) {
    }

    /** [healthcheck]: oslo.middleware's healthcheck options that mean something for Ferry. */
    public record Healthcheck(Optional<Path> disableByFilePath, boolean detailed, List<String> backends) {
        /** The checks {@code backends} may name; {@code disable_by_file} is oslo's, the others Ferry's own. */
        public static final List<String> BACKENDS = List.of("disable_by_file", "database", "stores",
                "import_scheduler", "replication_scheduler");
    }

    /** [metrics]: where Prometheus scrapes; without bind_port on the API port, admin only. */
    public record Metrics(String bindHost, OptionalInt bindPort) {
    }

    public boolean multistore() {
        return !enabledBackends.isEmpty();
    }

    public Optional<StoreConfig> store(String id) {
        return stores.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** What the API handlers use. */
    public ApiSettings api() {
        return new ApiSettings(enabledImportMethods, showMultipleLocations, imageSizeCap, hashingAlgorithm, quotas,
                limitParamDefault, apiLimitMax);
    }

    /** What the store registry is made from. */
    public StoreRegistry.Settings storeSettings() {
        return new StoreRegistry.Settings(stores, defaultBackend, stagingDir, multistore());
    }

    public static FerryConfig load(Path file) {
        try {
            return from(IniFile.read(file), Path.of("").toAbsolutePath(), file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /**
     * @param baseDir where relative paths in the file are resolved (the working directory, as Glance does)
     * @param configDir where files beside the config live (schema-image.json)
     */
    public static FerryConfig from(IniFile ini, Path baseDir, Path configDir) {
        ConfigReader r = new ConfigReader(ini);
        String d = "DEFAULT";
        Map<String, String> backends = r.dict(d, "enabled_backends");
        for (var e : backends.entrySet()) {
            if (e.getKey().startsWith("os_glance_")) {
                throw ConfigException.badValue(d, "enabled_backends", r.raw(d, "enabled_backends"),
                        "store ids starting with os_glance_ are reserved");
            }
            if (!StoreConfig.DRIVERS.containsKey(e.getValue())) {
                throw ConfigException.badValue(d, "enabled_backends", r.raw(d, "enabled_backends"),
                        "store " + e.getKey() + " has unsupported type '" + e.getValue() + "' (supported: "
                                + String.join(", ", StoreConfig.DRIVERS.keySet()) + ")");
            }
        }
        List<String> methods = r.list(d, "enabled_import_methods", List.of("glance-direct", "web-download", "copy-image"));
        for (String m : methods) {
            if (!IMPORT_METHODS.contains(m)) {
                throw ConfigException.badValue(d, "enabled_import_methods", r.raw(d, "enabled_import_methods"),
                        "unknown import method '" + m + "'");
            }
        }
        String hashing = r.string(d, "hashing_algorithm", "sha512");
        if (HashAlgorithms.javaName(hashing).isEmpty()) {
            throw ConfigException.badValue(d, "hashing_algorithm", hashing, "not a hash algorithm this JVM provides");
        }
        String defaultBackend = r.string("glance_store", "default_backend", "");
        List<StoreConfig> stores = new ArrayList<>();
        if (!backends.isEmpty()) {
            if (defaultBackend.isEmpty()) {
                throw ConfigException.badValue("glance_store", "default_backend", "", "must be set when enabled_backends is set");
            }
            if (!backends.containsKey(defaultBackend)) {
                throw ConfigException.badValue("glance_store", "default_backend", defaultBackend,
                        "not one of enabled_backends " + backends.keySet());
            }
            for (var e : backends.entrySet()) {
                stores.add(StoreConfig.read(r, e.getKey(), e.getValue(), baseDir));
            }
            StoreConfig def = stores.stream().filter(c -> c.id().equals(defaultBackend)).findFirst().orElseThrow();
            if (!def.options().writable()) {
                throw ConfigException.badValue("glance_store", "default_backend", defaultBackend,
                        "an " + def.type() + " store is read-only");
            }
        } else {
            stores.add(StoreConfig.singleStore(r, baseDir));
        }
        Path staging = baseDir.resolve(r.string(STAGING_STORE, "filesystem_store_datadir", "./data/staging")).normalize();

        String flavor = r.string("paste_deploy", "flavor", "");
        if (!flavor.isEmpty() && !flavor.equals("keystone")) {
            throw ConfigException.badValue("paste_deploy", "flavor", flavor, "must be 'keystone' or empty (no authentication)");
        }
        String ks = "keystone_authtoken";
        Keystone keystone = new Keystone(r.string(ks, "www_authenticate_uri", r.string(ks, "auth_url", "")),
                r.string(ks, "auth_url", ""), r.string(ks, "username", ""), r.string(ks, "password", ""),
                r.string(ks, "project_name", ""), r.string(ks, "user_domain_name", "Default"),
                r.string(ks, "project_domain_name", "Default"), r.string(ks, "region_name", ""),
                r.list(ks, "service_token_roles", List.of("service")),
                r.bool(ks, "service_token_roles_required", false));
        if (flavor.equals("keystone")) {
            for (String[] req : new String[][] {{"auth_url", keystone.authUrl()}, {"username", keystone.username()},
                    {"password", keystone.password()}, {"project_name", keystone.projectName()}}) {
                if (req[1].isEmpty()) {
                    throw ConfigException.badValue(ks, req[0], "", "required with [paste_deploy] flavor = keystone");
                }
            }
            if (!keystone.authUrl().startsWith("http://") && !keystone.authUrl().startsWith("https://")) {
                throw ConfigException.badValue(ks, "auth_url", keystone.authUrl(), "not an http(s) URL");
            }
        }
        for (StoreConfig sc : stores) {
            if (!flavor.equals("keystone") && sc.options() instanceof org.ferry.store.SwiftStoreOptions so
                    && so.multiTenant()) {
                throw ConfigException.badValue(sc.id(), "swift_store_multi_tenant", "True", "each image goes into the "
                        + "account of the user who writes it, with that user's Keystone token: needs [paste_deploy] "
                        + "flavor = keystone");
            }
        }
        String f = "import_filtering_opts";
        ImportFiltering filtering = new ImportFiltering(
                r.list(f, "allowed_schemes", List.of("http", "https")), r.list(f, "disallowed_schemes", List.of()),
                r.list(f, "allowed_hosts", List.of()), r.list(f, "disallowed_hosts", List.of()),
                r.ports(f, "allowed_ports", List.of(80, 443)), r.ports(f, "disallowed_ports", List.of()));

        String database = r.string("database", "connection", "jdbc:h2:file:./data/ferry");
        if (!database.startsWith("jdbc:h2:") && !database.startsWith("jdbc:postgresql:")) {
            throw ConfigException.badValue("database", "connection", database, "must be a jdbc:h2: or jdbc:postgresql: URL");
        }
        Optional<Path> policyFile = policyFile(r, ConfigFiles.standard(configDir));

        // no-auth mode: [glance_download_regions] RegionTwo = http://127.0.0.1:9393 (public), or
        // RegionTwo.internal = ... for a non-public interface.
        Map<String, Map<String, String>> regions = new LinkedHashMap<>();
        for (var e : ini.section("glance_download_regions").entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            String region = dot > 0 ? key.substring(0, dot) : key;
            String iface = dot > 0 ? key.substring(dot + 1) : "public";
            if (!e.getValue().startsWith("http://") && !e.getValue().startsWith("https://")) {
                throw ConfigException.badValue("glance_download_regions", key, e.getValue(), "not an http(s) URL");
            }
            regions.computeIfAbsent(region, k -> new LinkedHashMap<>()).put(iface, e.getValue());
        }

        String publicEndpoint = r.string(d, "public_endpoint", "");
        return new FerryConfig(
                r.string(d, "bind_host", "127.0.0.1"),
                r.port(d, "bind_port", 9292),
                publicEndpoint.isEmpty() ? Optional.empty() : Optional.of(EndpointUrls.trimmed(publicEndpoint)),
                backends, methods,
                r.bool(d, "show_image_direct_url", false),
                r.bool(d, "show_multiple_locations", false),
                r.longValue(d, "image_size_cap", 1099511627776L, 1),
                hashing,
                new Quotas(r.integer(d, "image_member_quota", 128, -1), r.integer(d, "image_property_quota", 128, -1),
                        r.integer(d, "image_tag_quota", 128, -1), r.integer(d, "image_location_quota", 10, -1)),
                r.integer(d, "limit_param_default", 25, 1),
                r.integer(d, "api_limit_max", 1000, 1),
                r.integer(d, "max_request_id_length", 64, 1),
                r.list("image_format", "disk_formats",
                        List.of("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")),
                r.list("image_format", "container_formats",
                        List.of("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")),
                r.integer("task", "task_time_to_live", 48, 1),
                r.integer("task", "remote_connect_timeout", 10, 1),
                r.integer("task", "remote_read_timeout", 60, 1),
                defaultBackend, List.copyOf(stores), staging, database, keystone, flavor.equals("keystone"),
                r.list("glance_download_properties", "extra_properties",
                        List.of("hw_", "trait:", "os_distro", "os_secure_boot", "os_type")),
                filtering, policyFile, regions, configDir,
                r.bool(d, "do_secure_hash", true),
                r.integer(d, "http_retries", 3, 0),
                ReplicationConfig.parse(r, new ReplicationConfig.Context(regions, flavor.equals("keystone"), methods)),
                healthcheck(r, baseDir), metrics(r));
    }

    private static Healthcheck healthcheck(ConfigReader r, Path baseDir) {
        String h = "healthcheck";
        List<String> backends = r.list(h, "backends", List.of("disable_by_file"));
        for (String b : backends) {
            if (!Healthcheck.BACKENDS.contains(b)) {
                throw ConfigException.badValue(h, "backends", r.raw(h, "backends"),
                        "unknown check '" + b + "' (known: " + String.join(", ", Healthcheck.BACKENDS) + ")");
            }
        }
        return new Healthcheck(r.optional(h, "disable_by_file_path").map(p -> baseDir.resolve(p).normalize()),
                r.bool(h, "detailed", true), backends);
    }

    private static Metrics metrics(ConfigReader r) {
        String m = "metrics";
        return new Metrics(r.string(m, "bind_host", "127.0.0.1"), r.optionalPort(m, "bind_port"));
    }

    /**
     * oslo.policy's policy_file (default policy.yaml), found as oslo.config finds files: a relative name beside the
     * config file, then in /etc/glance. The default one may be absent (Glance's defaults apply); a named one may not.
     */
    private static Optional<Path> policyFile(ConfigReader r, ConfigFiles files) {
        Optional<String> named = r.optional("oslo_policy", "policy_file");
        Optional<Path> found = files.find(named.orElse("policy.yaml"));
        if (named.isPresent() && found.isEmpty()) {
            throw ConfigException.badValue("oslo_policy", "policy_file", named.get(), "no such file in " + files.dirs());
        }
        return found;
    }
}
