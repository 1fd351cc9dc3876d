package org.ferry.auth;

/** Turns a request's credentials into a {@link RequestContext}. */
public interface Authenticator {
    /**
     * @param token the X-Auth-Token header, or null
     * @param headers lookup of other request headers (no-auth mode reads identity from them)
     * @throws AuthenticationException when the token is missing or not valid
     */
    RequestContext authenticate(String token, java.util.function.Function<String, String> headers, String requestId);

    /** The WWW-Authenticate value a 401 carries, or null when there is no identity service. */
    String wwwAuthenticate();
}
