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
        /** The endpoints of a Keystone v3 token's catalog, one entry per (service, endpoint). */
        public static List<CatalogEndpoint> fromToken(org.openstack4j.model.identity.v3.Token token) {
            List<CatalogEndpoint> out = new java.util.ArrayList<>();
            if (token.getCatalog() == null) {
                return out;
            }
            for (var s : token.getCatalog()) {
                if (s.getEndpoints() == null) {
                    continue;
                }
                for (var e : s.getEndpoints()) {
                    out.add(new CatalogEndpoint(s.getType(), s.getName(),
                            e.getRegion() != null ? e.getRegion() : e.getRegionId(),
                            e.getIface() == null ? null : e.getIface().value(),
                            e.getUrl() == null ? null : e.getUrl().toString()));
                }
            }
            return out;
        }
    }
}
