package org.ferry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.ferry.auth.AuthenticationException;
import org.ferry.auth.Authenticator;
import org.ferry.auth.PolicyDeniedException;
import org.ferry.auth.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request passes here: request id, Glance's version negotiation, routing, authentication, then the route's
 * handler, with every failure turned into Glance's error response.
 */
public final class FrontHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FrontHandler.class);
    private static final HttpString REQUEST_ID = HttpString.tryFromString("x-openstack-request-id");
    private static final Pattern MINOR_PREFIX = Pattern.compile("^/v(2\\.\\d+)(/.*)?$");
    /** Served as they are, without version negotiation (oslo.middleware's healthcheck, Prometheus). */
    private static final Set<String> UNVERSIONED = Set.of("/healthcheck", "/metrics");
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final Router router;
    private final Authenticator authenticator;
    private final VersionDiscovery versions;
    private final int maxRequestIdLength;

    public FrontHandler(Router router, Authenticator authenticator, VersionDiscovery versions, int maxRequestIdLength) {
        this.router = router;
        this.authenticator = authenticator;
        this.versions = versions;
        this.maxRequestIdLength = maxRequestIdLength;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) {
        if (ex.isInIoThread()) {
            ex.dispatch(this);
            return;
        }
        ex.startBlocking();
        if (!ex.isPersistent()) {
            // "Connection: close" requests (tempest sends it on every call): Undertow closes the connection after a
            // 204 without saying so, and a client that pooled it (urllib3) then gets RemoteDisconnected.
            ex.getResponseHeaders().put(io.undertow.util.Headers.CONNECTION, "close");
        }
        String requestId = ex.getRequestHeaders().getFirst("X-Openstack-Request-ID");
        if (requestId != null && requestId.length() > maxRequestIdLength) {
            String own = "req-" + UUID.randomUUID();
            ex.getResponseHeaders().put(REQUEST_ID, own);
            Responses.error(ex, 431, "Request id is longer than " + maxRequestIdLength + " characters.", Map.of());
            return;
        }
        if (requestId == null || requestId.isBlank()) {
            requestId = "req-" + UUID.randomUUID();
        } else if (!requestId.startsWith("req-")) {
            requestId = "req-" + requestId;
        }
        ex.getResponseHeaders().put(REQUEST_ID, requestId);
        MDC.put("request_id", requestId);
        try {
            serve(ex, requestId);
        } catch (ApiException e) {
            fail(ex, e.status(), e.explanation(), e.headers());
        } catch (PolicyDeniedException e) {
            fail(ex, 403, e.getMessage(), Map.of());
        } catch (AuthenticationException e) {
            if (e.identityServiceUnavailable()) {
                LOG.warn("identity service unavailable: {}", e.getMessage());
                fail(ex, 503, "The Keystone service is temporarily unavailable.", Map.of());
            } else {
                String www = authenticator.wwwAuthenticate();
                fail(ex, 401, "", www == null ? Map.of() : Map.of("WWW-Authenticate", www));
            }
        } catch (Exception e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestPath(), e);
            fail(ex, 500, "", Map.of());
        } finally {
            MDC.remove("request_id");
        }
    }

    private void serve(HttpServerExchange ex, String requestId) throws Exception {
        String method = ex.getRequestMethod().toString();
        if (!KNOWN_METHODS.contains(method)) {
            throw new ApiException(501, "");
        }
        requireValidContentLength(ex);
        PathText.require(ex.getRequestURI());
        String path = ex.getRequestPath();
        if (path.equals("/") || path.isEmpty()) {
            versions.render(ex, 300);
            return;
        }
        if (path.equals("/versions")) {
            versions.render(ex, 200);
            return;
        }
        path = negotiate(ex, path);
        if (path == null) {
            versions.render(ex, 300);
            return;
        }
        Router.Match match = router.match(method, path);
        ex.putAttachment(RequestFacts.ROUTE, match.route().template());
        RequestContext ctx = null;
        if (match.route().authenticated()) {
            ctx = authenticator.authenticate(ex.getRequestHeaders().getFirst("X-Auth-Token"),
                    h -> ex.getRequestHeaders().getFirst(h), requestId);
            ex.putAttachment(RequestFacts.CALLER, ctx);
        }
        if ((method.equals("GET") || method.equals("DELETE")) && hasBody(ex)) {
            throw ApiException.badRequest("A body is not expected with this request.");
        }
        match.route().handler().handle(new ApiRequest(ex, ctx, match.params()));
    }

    /** Glance's version negotiation: /v2.N/ becomes /v2/; an unknown prefix gets the versions document (null). */
    private String negotiate(HttpServerExchange ex, String path) {
        if (path.equals("/v2") || path.startsWith("/v2/") || path.startsWith("/ferry/") || UNVERSIONED.contains(path)) {
            return path;
        }
        Matcher m = MINOR_PREFIX.matcher(path);
        if (m.matches()) {
            if (versions.allowedMinors().contains(m.group(1))) {
                return "/v2" + (m.group(2) == null ? "" : m.group(2));
            }
            return null;
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept != null && accept.contains("application/vnd.openstack.images-v2")) {
            return "/v2" + path;
        }
        return null;
    }

    /** Undertow passes on a Content-Length too large for a long; reading it later would throw (500). */
    private static void requireValidContentLength(HttpServerExchange ex) {
        String length = ex.getRequestHeaders().getFirst(io.undertow.util.Headers.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) >= 0) {
                    return;
                }
            } catch (NumberFormatException e) {
                // falls through to the refusal
            }
            throw ApiException.badRequest("Invalid Content-Length: " + length);
        }
    }

    private static boolean hasBody(HttpServerExchange ex) {
        long len = ex.getRequestContentLength();
        return len > 0 || ex.getRequestHeaders().contains("Transfer-Encoding");
    }

    private static void fail(HttpServerExchange ex, int status, String explanation, Map<String, String> headers) {
        if (ex.isResponseStarted()) {
            // the body is already under way: the only honest signal left is to cut the connection
            ex.setPersistent(false);
            ex.endExchange();
            return;
        }
        ex.getResponseHeaders().remove(io.undertow.util.Headers.CONTENT_RANGE);
        ex.getResponseHeaders().remove(io.undertow.util.Headers.CONTENT_MD5);
        Responses.error(ex, status, explanation, headers);
    }
}
