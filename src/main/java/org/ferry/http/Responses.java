package org.ferry.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes complete (non-streamed) responses. */
public final class Responses {
    private Responses() {
    }

    public static void json(HttpServerExchange ex, int status, Object body) {
        send(ex, status, "application/json", Json.write(body));
    }

    /** 202/204 and friends: no body, WebOb's default content type, as Glance answers. */
    public static void empty(HttpServerExchange ex, int status) {
        send(ex, status, "text/html; charset=UTF-8", "");
    }

    public static void error(HttpServerExchange ex, int status, String explanation, Map<String, String> headers) {
        ErrorPage.Rendered page = ErrorPage.render(status, explanation,
                ex.getRequestHeaders().getFirst(Headers.ACCEPT));
        headers.forEach((k, v) -> ex.getResponseHeaders().put(HttpString.tryFromString(k), v));
        send(ex, status, page.contentType(), page.body());
    }

    public static void send(HttpServerExchange ex, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        if (ex.isBlocking()) {
            try {
                ex.getOutputStream().write(bytes);
                ex.getOutputStream().close();
            } catch (java.io.IOException e) {
                ex.endExchange();
            }
        } else {
            ex.getResponseSender().send(ByteBuffer.wrap(bytes));
        }
    }
}
