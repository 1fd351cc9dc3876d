package org.ferry.auth;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling and on whose behalf: the identity a request and every task it starts act with.
 * Roles are lower-cased, as Glance's context middleware does. {@code service} is the service (Nova, Cinder) that
 * sent a valid {@code X-Service-Token} with the request, or null: it never changes whose request it is.
 */
public record RequestContext(
        String requestId,
        String userId,
        String projectId,
        Set<String> roles,
        String authToken,
        List<CatalogEndpoint> serviceCatalog,
        boolean readOnly,
        ServiceCaller service) {

    public RequestContext {
        roles = roles.stream().map(r -> r.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        serviceCatalog = serviceCatalog == null ? List.of() : List.copyOf(serviceCatalog);
    }

    /** A request without a service token. */
    public RequestContext(String requestId, String userId, String projectId, Set<String> roles, String authToken,
                          List<CatalogEndpoint> serviceCatalog, boolean readOnly) {
        this(requestId, userId, projectId, roles, authToken, serviceCatalog, readOnly, null);
    }

    /**
     * The user and project of a valid service token, and its roles as Keystone spells them (oslo.context's
     * {@code service_user_id}, {@code service_project_id}, {@code service_roles}; Glance does not lower-case them).
     */
    public record ServiceCaller(String userId, String projectId, Set<String> roles) {
        public ServiceCaller {
            roles = Set.copyOf(roles);
        }
    }

    /** oslo.context's {@code service_roles}: empty without a service token. */
    public Set<String> serviceRoles() {
        return service == null ? Set.of() : service.roles();
    }

    /**
     * Whether the user token or the service token carries the {@code service} role: Glance's
     * {@code roles + service_roles} test in add_location, which lets a service register non-http locations.
     * Policy rules see the two apart ({@code role:} against the user's roles, {@code service_roles:} against these).
     */
    public boolean isService() {
        return hasRole("service") || serviceRoles().contains("service");
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public boolean hasRole(String role) {
        return roles.contains(role.toLowerCase(Locale.ROOT));
    }

    public RequestContext withRequestId(String id) {
        return new RequestContext(id, userId, projectId, roles, authToken, serviceCatalog, readOnly, service);
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
