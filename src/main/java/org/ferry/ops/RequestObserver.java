package org.ferry.ops;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.ferry.http.RequestFacts;
import org.ferry.auth.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * Wraps the front handler: counts each exchange's body bytes and, when the exchange completes (response sent, or
 * the connection gone), hands one {@link CompletedRequest} to each listener: the access log, the request metrics.
 */
public final class RequestObserver implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestObserver.class);

    private final HttpHandler next;
    private final List<Consumer<CompletedRequest>> listeners;

    public RequestObserver(HttpHandler next, List<Consumer<CompletedRequest>> listeners) {
        this.next = next;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        long start = System.nanoTime();
        ByteCounts bytes = new ByteCounts();
        bytes.attach(ex);
        ex.addExchangeCompleteListener((exchange, nextListener) -> {
            try {
                completed(exchange, bytes, System.nanoTime() - start);
            } finally {
                nextListener.proceed();
            }
        });
        next.handleRequest(ex);
    }

    private void completed(HttpServerExchange ex, ByteCounts bytes, long nanos) {
        RequestContext caller = ex.getAttachment(RequestFacts.CALLER);
        InetSocketAddress peer = ex.getSourceAddress();
        CompletedRequest done = new CompletedRequest(
                peer == null || peer.getAddress() == null ? "-" : peer.getAddress().getHostAddress(),
                ex.getRequestMethod().toString(), ex.getRequestURI(), ex.getQueryString(),
                ex.getProtocol().toString(), ex.getAttachment(RequestFacts.ROUTE), ex.getStatusCode(),
                bytes.received(), bytes.sent(), nanos, ex.getResponseHeaders().getFirst("x-openstack-request-id"),
                caller == null ? null : caller.userId(), caller == null ? null : caller.projectId());
        for (Consumer<CompletedRequest> l : listeners) {
            try {
                l.accept(done);
            } catch (RuntimeException e) {
                // an observer must never break the exchange it observes
                LOG.warn("request observer {} failed: {}", l.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
