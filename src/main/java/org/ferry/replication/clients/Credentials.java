package org.ferry.replication.clients;

/** How a replication job authenticates: not at all (no-auth regions), as a Keystone user, or an application credential. */
public sealed interface Credentials {
    /** No Keystone: regions come from [glance_download_regions] and requests carry no token. */
    record None() implements Credentials {
    }

    record Password(String authUrl, String username, String password, String projectName, String userDomainName,
                    String projectDomainName) implements Credentials {
        @Override
        public String toString() {
            return "Password[authUrl=" + authUrl + ", username=" + username + ", projectName=" + projectName + "]";
        }
    }

    record ApplicationCredential(String authUrl, String id, String secret) implements Credentials {
        @Override
        public String toString() {
            return "ApplicationCredential[authUrl=" + authUrl + ", id=" + id + "]";
        }
    }

    default boolean keystone() {
        return !(this instanceof None);
    }
}
