package org.ferry.auth;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling and on whose behalf: the identity a request and every task it starts act with.
 * Roles are lower-cased, as Glance's context middleware does.
 */
public record RequestContext(
        String requestId,
        String userId,
        String projectId,
        Set<String> roles,
        String authToken,
        List<CatalogEndpoint> serviceCatalog,
        boolean readOnly) {

    public RequestContext {
        roles = roles.stream().map(r -> r.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        serviceCatalog = serviceCatalog == null ? List.of() : List.copyOf(serviceCatalog);
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public boolean hasRole(String role) {
        return roles.contains(role.toLowerCase(Locale.ROOT));
    }

    public RequestContext withRequestId(String id) {
        return new RequestContext(id, userId, projectId, roles, authToken, serviceCatalog, readOnly);
    }

    /** One endpoint of the caller's service catalog (Keystone v3 layout, one entry per interface). */
    public record CatalogEndpoint(String serviceType, String serviceName, String region, String iface, String url) {
    }
}
