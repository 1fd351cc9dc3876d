package org.ferry.http;

import io.undertow.server.HttpServerExchange;

import java.util.Set;

/** The API's versions document and the version prefixes it accepts, as the front handler negotiates them. */
public interface VersionDiscovery {
    /** The minor versions {@code /v2.N/} may name. */
    Set<String> allowedMinors();

    /** Answers the versions document with {@code status} (200 for /versions, 300 for an unknown prefix). */
    void render(HttpServerExchange ex, int status);
}
