package org.ferry.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** What Keystone said about a token it accepted: its bearer, scope, roles (as Keystone spells them) and expiry. */
record ValidatedToken(String userId, String projectId, Set<String> roles,
                      List<RequestContext.CatalogEndpoint> catalog, Instant expires) {

    ValidatedToken {
        roles = Set.copyOf(roles);
        catalog = List.copyOf(catalog);
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expires);
    }
}
