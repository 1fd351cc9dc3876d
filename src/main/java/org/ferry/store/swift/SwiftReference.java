package org.ferry.store.swift;

import org.ferry.config.ConfigException;

import java.util.Map;

/**
 * One Swift account Ferry may use: a section of {@code swift_store_config_file} (Glance's glance-swift.conf), or
 * the store's inline swift_store_* options. {@code user} is {@code <project>:<user>} as in Glance.
 *
 * @param authVersion {@code 3} (Keystone v3, Glance's only one today) or {@code 1} (Swift's own auth, e.g.
 *                    tempauth: {@code X-Auth-User} and {@code X-Auth-Key}); Glance maps every other value to 3
 */
public record SwiftReference(String name, String authAddress, String user, String key,
                             String applicationCredentialId, String applicationCredentialSecret,
                             String projectName, String projectId, String userDomainId, String userDomainName,
                             String projectDomainId, String projectDomainName, String authVersion) {

    /** Builds a reference from its parameters (missing ones are empty), with Glance's domain defaults. */
    public static SwiftReference of(String name, Map<String, String> p, String defaultAuthVersion) {
        String appId = p.getOrDefault("application_credential_id", "");
        String appSecret = p.getOrDefault("application_credential_secret", "");
        if (appId.isEmpty() != appSecret.isEmpty()) {
            throw new ConfigException("swift reference " + name + ": " + (appId.isEmpty()
                    ? "application_credential_id required when application_credential_secret is provided"
                    : "application_credential_secret required when application_credential_id is provided"));
        }
        String userDomainId = p.getOrDefault("user_domain_id", "");
        String userDomainName = p.getOrDefault("user_domain_name", "");
        String projectDomainId = p.getOrDefault("project_domain_id", "");
        String projectDomainName = p.getOrDefault("project_domain_name", "");
        String version = p.getOrDefault("auth_version", defaultAuthVersion).strip();
        return new SwiftReference(name, p.getOrDefault("auth_address", ""), p.getOrDefault("user", ""),
                p.getOrDefault("key", ""), appId, appSecret, p.getOrDefault("project_name", ""),
                p.getOrDefault("project_id", ""),
                userDomainId.isEmpty() && userDomainName.isEmpty() ? "default" : userDomainId, userDomainName,
                projectDomainId.isEmpty() && projectDomainName.isEmpty() ? "default" : projectDomainId,
                projectDomainName, version.equals("1") ? "1" : "3");
    }

    /** user and key, or an application credential. */
    public boolean hasCredentials() {
        return !user.isEmpty() && !key.isEmpty() || !applicationCredentialId.isEmpty();
    }

    /** The same account with the user and key a location carries (Glance's credentialed form). */
    SwiftReference withCredentials(String locationUser, String locationKey) {
        return new SwiftReference(name, authAddress, locationUser, locationKey, "", "", projectName, projectId,
                userDomainId, userDomainName, projectDomainId, projectDomainName, authVersion);
    }

    /** Never prints the key or the secret. */
    @Override
    public String toString() {
        return name + "(" + authAddress + ", " + (applicationCredentialId.isEmpty() ? "user " + user
                : "application credential " + applicationCredentialId) + ", auth v" + authVersion + ")";
    }
}
