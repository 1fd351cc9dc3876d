package org.ferry.ops;

/**
 * One HTTP exchange once it has completed: what the access log writes and the request metrics count.
 *
 * @param route    the matched route's path template, or null when no route matched
 * @param received request body bytes read
 * @param sent     response body bytes written
 * @param user     the authenticated user, or null
 * @param project  the authenticated project, or null
 */
public record CompletedRequest(String remote, String method, String uri, String query, String protocol, String route,
                               int status, long received, long sent, long nanos, String requestId, String user,
                               String project) {
}
