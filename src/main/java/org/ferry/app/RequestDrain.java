package org.ferry.app;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.GracefulShutdownHandler;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outermost HTTP handler: counts the requests in flight (so a stop can say what it waits for) and, once a stop
 * has begun, answers new requests 503 (Undertow's graceful shutdown) while those in flight finish.
 */
final class RequestDrain implements HttpHandler {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final GracefulShutdownHandler graceful;

    RequestDrain(HttpHandler next) {
        this.graceful = new GracefulShutdownHandler(ex -> {
            inFlight.incrementAndGet();
            ex.addExchangeCompleteListener((done, nextListener) -> {
                inFlight.decrementAndGet();
                nextListener.proceed();
            });
            next.handleRequest(ex);
        });
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        graceful.handleRequest(exchange);
    }

    /** New requests get 503 from now on. */
    void shutdown() {
        graceful.shutdown();
    }

    int inFlight() {
        return inFlight.get();
    }
}
