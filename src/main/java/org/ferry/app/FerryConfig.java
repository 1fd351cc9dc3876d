package org.ferry.app;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import org.ferry.remote.EndpointUrls;
import org.ferry.replication.ReplicationConfig;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
    public static final Set<String> STORE_TYPES = Set.of("file", "http");
    public static final String STAGING_STORE = "os_glance_staging_store";
    public static final String TASKS_STORE = "os_glance_tasks_store";

    public record Quotas(int imageMemberQuota, int imagePropertyQuota, int imageTagQuota, int imageLocationQuota) {
    }

    public record StoreConfig(String id, String type, Path dataDir, Optional<String> description, int weight,
                              int chunkSize, boolean thinProvisioning) {
    }

    public record Keystone(String wwwAuthenticateUri, String authUrl, String username, String password,
                           String projectName, String userDomainName, String projectDomainName, String regionName,
                           List<String> serviceTokenRoles, boolean serviceTokenRolesRequired) {
    }

    public record ImportFiltering(List<String> allowedSchemes, List<String> disallowedSchemes,
                                  List<String> allowedHosts, List<String> disallowedHosts,
                                  List<Integer> allowedPorts, List<Integer> disallowedPorts) {
    }

    /** [healthcheck]: oslo.middleware's healthcheck options that mean something for Ferry. */
    public record Healthcheck(Optional<Path> disableByFilePath, boolean detailed, List<String> backends) {
        /** The checks {@code backends} may name; {@code disable_by_file} is oslo's, the others Ferry's own. */
        public static final List<String> BACKENDS = List.of("disable_by_file", "database", "stores",
                "import_scheduler", "replication_scheduler");
    }

    /** [metrics]: where Prometheus scrapes; without bind_port on the API port, admin only. */
    public record Metrics(String bindHost, java.util.OptionalInt bindPort) {
    }

    public boolean multistore() {
        return !enabledBackends.isEmpty();
    }

    public Optional<StoreConfig> store(String id) {
        return stores.stream().filter(s -> s.id().equals(id)).findFirst();
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
        Reader r = new Reader(ini);
        String d = "DEFAULT";
        Map<String, String> backends = r.dict(d, "enabled_backends");
        for (var e : backends.entrySet()) {
            if (e.getKey().startsWith("os_glance_")) {
                throw ConfigException.badValue(d, "enabled_backends", r.raw(d, "enabled_backends"),
                        "store ids starting with os_glance_ are reserved");
            }
            if (!STORE_TYPES.contains(e.getValue())) {
                throw ConfigException.badValue(d, "enabled_backends", r.raw(d, "enabled_backends"),
                        "store " + e.getKey() + " has unsupported type '" + e.getValue() + "' (supported: file, http)");
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
        if (javaDigestName(hashing).isEmpty()) {
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
            if ("http".equals(backends.get(defaultBackend))) {
                throw ConfigException.badValue("glance_store", "default_backend", defaultBackend, "an http store is read-only");
            }
            for (var e : backends.entrySet()) {
                String id = e.getKey();
                Path dir = null;
                if ("file".equals(e.getValue())) {
                    String raw = r.string(id, "filesystem_store_datadir", "");
                    if (raw.isEmpty()) {
                        throw ConfigException.badValue(id, "filesystem_store_datadir", "", "a file store needs a data directory");
                    }
                    dir = baseDir.resolve(raw).normalize();
                }
                stores.add(new StoreConfig(id, e.getValue(), dir, r.optional(id, "store_description"),
                        r.integer(id, "weight", 0, Integer.MIN_VALUE), r.integer(id, "filesystem_store_chunk_size", 65536, 1),
                        r.bool(id, "filesystem_thin_provisioning", false)));
            }
        } else {
            String raw = r.string("glance_store", "filesystem_store_datadir", "./data/images");
            stores.add(new StoreConfig("file", "file", baseDir.resolve(raw).normalize(), Optional.empty(), 0,
                    r.integer("glance_store", "filesystem_store_chunk_size", 65536, 1), false));
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
                ReplicationConfig.parse(ini, new ReplicationConfig.Context(regions, flavor.equals("keystone"), methods)),
                healthcheck(r, baseDir), metrics(r));
    }

    private static Healthcheck healthcheck(Reader r, Path baseDir) {
        String h = "healthcheck";
        List<String> backends = r.list(h, "backends", List.of("disable_by_file"));
        for (String b : backends) {
            if (!Healthcheck.BACKENDS.contains(b)) {
                throw ConfigException.badValue(h, "backends", r.raw(h, "backends"),
                        "unknown check '" + b + "' (known: " + String.join(", ", Healthcheck.BACKENDS) + ")");
            }
        }
        return new Healthcheck(r.optional(h, "disable_by_file_path").map(p -> baseDir.resolve(p.strip()).normalize()),
                r.bool(h, "detailed", true), backends);
    }

    private static Metrics metrics(Reader r) {
        String m = "metrics";
        java.util.OptionalInt port = r.optional(m, "bind_port").isEmpty() ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(r.integer(m, "bind_port", 0, 0));
        if (port.isPresent() && port.getAsInt() > 65535) {
            throw ConfigException.badValue(m, "bind_port", r.raw(m, "bind_port"), "not a port number (0-65535)");
        }
        return new Metrics(r.string(m, "bind_host", "127.0.0.1"), port);
    }

    /**
     * oslo.policy's policy_file (default policy.yaml), found as oslo.config finds files: a relative name beside the
     * config file, then in /etc/glance. The default one may be absent (Glance's defaults apply); a named one may not.
     */
    private static Optional<Path> policyFile(Reader r, ConfigFiles files) {
        Optional<String> named = r.optional("oslo_policy", "policy_file");
        Optional<Path> found = files.find(named.orElse("policy.yaml"));
        if (named.isPresent() && found.isEmpty()) {
            throw ConfigException.badValue("oslo_policy", "policy_file", named.get(), "no such file in " + files.dirs());
        }
        return found;
    }

    /** Maps a hashlib name (Glance's hashing_algorithm) to the JVM's MessageDigest name, if the JVM has it. */
    public static Optional<String> javaDigestName(String hashlibName) {
        String n = hashlibName.toLowerCase(Locale.ROOT);
        String java = switch (n) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha224", "sha256", "sha384", "sha512" -> "SHA-" + n.substring(3);
            case "sha3_224", "sha3_256", "sha3_384", "sha3_512" -> "SHA3-" + n.substring(5);
            default -> null;
        };
        if (java == null) {
            return Optional.empty();
        }
        try {
            MessageDigest.getInstance(java);
            return Optional.of(java);
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /** Typed reads of oslo.config values. */
    record Reader(IniFile ini) {
        String raw(String section, String option) {
            return ini.get(section, option).orElse("");
        }

        Optional<String> optional(String section, String option) {
            return ini.get(section, option).filter(v -> !v.isBlank());
        }

        String string(String section, String option, String def) {
            return ini.get(section, option).orElse(def).strip();
        }

        boolean bool(String section, String option, boolean def) {
            Optional<String> v = ini.get(section, option);
            if (v.isEmpty()) {
                return def;
            }
            return switch (v.get().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw ConfigException.badValue(section, option, v.get(), "not a boolean (true or false)");
            };
        }

        long longValue(String section, String option, long def, long min) {
            Optional<String> v = ini.get(section, option);
            if (v.isEmpty()) {
                return def;
            }
            try {
                long n = Long.parseLong(v.get().strip());
                if (n < min) {
                    throw ConfigException.badValue(section, option, v.get(), "must be at least " + min);
                }
                return n;
            } catch (NumberFormatException e) {
                throw ConfigException.badValue(section, option, v.get(), "not an integer");
            }
        }

        int integer(String section, String option, int def, int min) {
            long n = longValue(section, option, def, min);
            if (n > Integer.MAX_VALUE) {
                throw ConfigException.badValue(section, option, raw(section, option), "too large");
            }
            return (int) n;
        }

        /** oslo.config's PortOpt: 0 to 65535. */
        int port(String section, String option, int def) {
            int n = integer(section, option, def, 0);
            if (n > 65535) {
                throw ConfigException.badValue(section, option, raw(section, option), "not a port number (0 to 65535)");
            }
            return n;
        }

        List<String> list(String section, String option, List<String> def) {
            Optional<String> v = ini.get(section, option);
            if (v.isEmpty()) {
                return def;
            }
            String s = v.get().strip();
            if (s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            return Arrays.stream(s.split("[,\n]")).map(String::strip).filter(x -> !x.isEmpty()).toList();
        }

        List<Integer> ports(String section, String option, List<Integer> def) {
            List<String> raw = list(section, option, null);
            if (raw == null) {
                return def;
            }
            List<Integer> out = new ArrayList<>();
            for (String p : raw) {
                try {
                    int n = Integer.parseInt(p);
                    if (n < 0 || n > 65535) {
                        throw new NumberFormatException();
                    }
                    out.add(n);
                } catch (NumberFormatException e) {
                    throw ConfigException.badValue(section, option, raw(section, option), "'" + p + "' is not a port number");
                }
            }
            return out;
        }

        Map<String, String> dict(String section, String option) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String item : list(section, option, List.of())) {
                int c = item.indexOf(':');
                if (c <= 0 || c == item.length() - 1) {
                    throw ConfigException.badValue(section, option, raw(section, option), "'" + item + "' is not id:type");
                }
                String key = item.substring(0, c).strip();
                if (out.put(key, item.substring(c + 1).strip()) != null) {
                    throw ConfigException.badValue(section, option, raw(section, option), "store id '" + key + "' appears twice");
                }
            }
            return out;
        }
    }
}
