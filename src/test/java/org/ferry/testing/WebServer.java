package org.ferry.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A WireMock web server on 127.0.0.1 and a free port, started when made: a test's remote (the source of a
 * web-download). Registered as a JUnit extension ({@code @RegisterExtension static final WebServer web =
 * WebServer.started();}) it stops after the test class.
 */
public class WebServer extends WireMockServer implements AfterAllCallback {
    protected WebServer() {
        super(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    }

    /** A started server; {@code stop()} it after the test unless it is registered as an extension. */
    public static WebServer started() {
        WebServer w = new WebServer();
        w.start();
        return w;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }
}
