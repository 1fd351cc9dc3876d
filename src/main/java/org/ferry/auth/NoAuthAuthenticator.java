package org.ferry.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Glance without keystonemiddleware: identity comes from X-User-Id, X-Project-Id (or X-Tenant-Id) and X-Roles,
 * defaulting to an admin of a fixed project. The service catalog is the static region map of the config.
 */
public final class NoAuthAuthenticator implements Authenticator {
    public static final String DEFAULT_USER = "ferry-admin";
    public static final String DEFAULT_PROJECT = "ferry";

    private final List<RequestContext.CatalogEndpoint> catalog;

    public NoAuthAuthenticator(List<RequestContext.CatalogEndpoint> catalog) {
        this.catalog = List.copyOf(catalog);
    }

    @Override
    public RequestContext authenticate(String token, Function<String, String> headers, String requestId) {
        String user = orDefault(headers.apply("X-User-Id"), DEFAULT_USER);
        String project = headers.apply("X-Project-Id");
        if (project == null || project.isBlank()) {
            project = orDefault(headers.apply("X-Tenant-Id"), DEFAULT_PROJECT);
        }
        String rolesHeader = headers.apply("X-Roles");
        Set<String> roles = rolesHeader == null || rolesHeader.isBlank()
                ? Set.of("admin", "member", "reader")
                : Arrays.stream(rolesHeader.split(",")).map(String::strip).filter(r -> !r.isEmpty())
                        .collect(Collectors.toSet());
        return new RequestContext(requestId, user, project, roles, token, catalog, false);
    }

    private static String orDefault(String v, String def) {
        return v == null || v.isBlank() ? def : v.strip();
    }

    @Override
    public String wwwAuthenticate() {
        return null;
    }
}
