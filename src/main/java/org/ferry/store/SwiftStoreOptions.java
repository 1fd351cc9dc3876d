package org.ferry.store;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.store.swift.SwiftReference;
import org.ferry.store.swift.SwiftStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * glance_store's swift driver options, under Glance's names and with its defaults. The account credentials are
 * references: sections of {@code swift_store_config_file}, or, without that file, the one reference
 * {@code default_swift_reference} made of the deprecated {@code swift_store_auth_address}, {@code swift_store_user}
 * and {@code swift_store_key} (as Glance's SwiftParams does). Either way Ferry's locations name the reference
 * ({@code swift+config://<reference>/<container>/<object>}) and never the credentials. With
 * {@code swift_store_multi_tenant} no reference is needed: each image goes into the account of the user who writes
 * it, with that user's token.
 *
 * @param references              the account references by name
 * @param defaultReference        default_swift_reference: the account new images are written to
 * @param container               swift_store_container
 * @param createContainerOnPut    swift_store_create_container_on_put
 * @param largeObjectSizeMiB      swift_store_large_object_size: images of at least this size (or of unknown size)
 *                                are written as segments and a manifest
 * @param chunkSizeMiB            swift_store_large_object_chunk_size: the segment size
 * @param multipleContainersSeed  swift_store_multiple_containers_seed: 0, or the number of image id characters
 *                                that name one of several containers ({@code <container>_<prefix>})
 * @param region                  swift_store_region: the catalog region of the object-store endpoint (any if empty)
 * @param endpointType            swift_store_endpoint_type: publicURL, internalURL or adminURL
 * @param serviceType             swift_store_service_type
 * @param endpoint                swift_store_endpoint: a storage URL used instead of the catalog's (empty: catalog)
 * @param retryGetCount           swift_store_retry_get_count: how often a read cut short resumes where it stopped
 * @param cacert                  swift_store_cacert: a CA bundle for https (empty: the JVM's trust store)
 * @param authInsecure            swift_store_auth_insecure: do not verify the server certificate
 * @param expireSoonSeconds       swift_store_expire_soon_interval: a token with less life left is renewed first
 * @param multiTenant             swift_store_multi_tenant: each image in its writer's account, container
 *                                {@code <container>_<image id>}, read by others through the container's ACLs
 * @param adminTenants            swift_store_admin_tenants: projects given write access to every image container
 */
public record SwiftStoreOptions(Map<String, SwiftReference> references, String defaultReference, String container,
                                boolean createContainerOnPut, int largeObjectSizeMiB, int chunkSizeMiB,
                                int multipleContainersSeed, String region, String endpointType, String serviceType,
                                String endpoint, int retryGetCount, String cacert, boolean authInsecure,
                                int expireSoonSeconds, boolean multiTenant, List<String> adminTenants)
        implements DriverOptions {
    private static final List<String> ENDPOINT_TYPES = List.of("publicURL", "internalURL", "adminURL");

    public static SwiftStoreOptions read(ConfigReader r, String section, Path baseDir) {
        boolean multiTenant = r.bool(section, "swift_store_multi_tenant", false);
        String defaultRef = r.string(section, "default_swift_reference", "ref1");
        String authVersion = r.string(section, "swift_store_auth_version", "3");
        Optional<String> configFile = r.optional(section, "swift_store_config_file");
        Map<String, SwiftReference> refs = configFile.isPresent()
                ? fromFile(baseDir.resolve(configFile.get()).normalize(), authVersion)
                : inline(r, section, defaultRef, authVersion);
        SwiftReference def = refs.get(defaultRef);
        if (!multiTenant) { // the multi-tenant store writes with the caller's token: no account of its own
            if (def == null || def.authAddress().isEmpty()) {
                throw new ConfigException("[" + section + "] A value for swift_store_auth_address is required."
                        + (configFile.isPresent() ? " (no reference '" + defaultRef + "' with auth_address in "
                        + configFile.get() + ")" : ""));
            }
            if (!def.hasCredentials()) {
                throw new ConfigException("[" + section + "] A value for swift_store_ref_params (user/key or "
                        + "application credentials) is required.");
            }
        }
        String endpointType = r.string(section, "swift_store_endpoint_type", "publicURL");
        if (!ENDPOINT_TYPES.contains(endpointType)) {
            throw ConfigException.badValue(section, "swift_store_endpoint_type", endpointType,
                    "must be one of " + String.join(", ", ENDPOINT_TYPES));
        }
        String cacert = r.string(section, "swift_store_cacert", "");
        return new SwiftStoreOptions(Map.copyOf(refs), defaultRef, r.string(section, "swift_store_container", "glance"),
                r.bool(section, "swift_store_create_container_on_put", false),
                r.integer(section, "swift_store_large_object_size", 5 * 1024, 1),
                r.integer(section, "swift_store_large_object_chunk_size", 200, 1),
                r.integer(section, "swift_store_multiple_containers_seed", 0, 0, 32),
                r.string(section, "swift_store_region", ""), endpointType,
                r.string(section, "swift_store_service_type", "object-store"),
                r.string(section, "swift_store_endpoint", ""),
                r.integer(section, "swift_store_retry_get_count", 0, 0),
                cacert.isEmpty() ? "" : baseDir.resolve(cacert).normalize().toString(),
                r.bool(section, "swift_store_auth_insecure", false),
                r.integer(section, "swift_store_expire_soon_interval", 60, 0), multiTenant,
                r.list(section, "swift_store_admin_tenants", List.of()));
    }

    /** Without a config file: the one reference made of the store's swift_store_* options (Glance's SwiftParams). */
    private static Map<String, SwiftReference> inline(ConfigReader r, String section, String name, String authVersion) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("auth_address", r.string(section, "swift_store_auth_address", ""));
        p.put("user", r.string(section, "swift_store_user", ""));
        p.put("key", r.string(section, "swift_store_key", ""));
        p.put("application_credential_id", r.string(section, "swift_store_application_credential_id", ""));
        p.put("application_credential_secret", r.string(section, "swift_store_application_credential_secret", ""));
        p.put("project_name", r.string(section, "swift_store_project_name", ""));
        p.put("project_id", r.string(section, "swift_store_project_id", ""));
        return Map.of(name, SwiftReference.of(name, p, authVersion));
    }

    /** swift_store_config_file: one section per reference (Glance's glance-swift.conf). */
    private static Map<String, SwiftReference> fromFile(Path file, String authVersion) {
        IniFile ini;
        try {
            ini = IniFile.read(file);
        } catch (IOException e) {
            throw new ConfigException("swift config file " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, SwiftReference> refs = new LinkedHashMap<>();
        Map<String, String> defaults = ini.section("DEFAULT"); // configparser: values every reference inherits
        for (String name : ini.sections()) {
            if (name.equals("DEFAULT")) {
                continue;
            }
            Map<String, String> p = new LinkedHashMap<>();
            defaults.forEach((k, v) -> p.put(k, unquote(v.strip())));
            ini.section(name).forEach((k, v) -> p.put(k, unquote(v.strip())));
            refs.put(name, SwiftReference.of(name, p, authVersion));
        }
        return refs;
    }

    /** Glance's SwiftConfigParser takes a value in matching quotes without them. */
    private static String unquote(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    public long largeObjectSizeBytes() {
        return (long) largeObjectSizeMiB << 20;
    }

    public long chunkSizeBytes() {
        return (long) chunkSizeMiB << 20;
    }

    /** The container an image goes to: {@code container}, or with a seed {@code <container>_<id prefix>}. */
    public String containerFor(String imageId) {
        if (multipleContainersSeed == 0) {
            return container;
        }
        String id = imageId.toLowerCase(java.util.Locale.ROOT);
        int n = multipleContainersSeed;
        // as Glance: the dashes inside the prefix do not count
        int dashes = (int) id.substring(0, Math.min(n, id.length())).chars().filter(c -> c == '-').count();
        return container + "_" + id.substring(0, Math.min(n + dashes, id.length()));
    }

    /** The container of an image in the multi-tenant store: one per image, as Glance names it. */
    public String multiTenantContainerFor(String imageId) {
        return container + "_" + imageId;
    }

    @Override
    public String type() {
        return "swift";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Store open(StoreSettings settings, OkHttpClient http) {
        return new SwiftStore(settings, this, http);
    }

    /** Never prints a key (the references hide theirs). */
    @Override
    public String toString() {
        return "SwiftStoreOptions[" + (multiTenant ? "multi-tenant, " : "") + "references=" + references.values()
                + ", default=" + defaultReference + ", container=" + container + "]";
    }
}
