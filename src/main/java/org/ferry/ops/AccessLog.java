package org.ferry.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * One line per request on the logger {@value #LOGGER} (so operators can route or silence it), in the shape of
 * Glance's eventlet access log with Ferry's extra fields:
 * {@code 127.0.0.1 "GET /v2/images?limit=1 HTTP/1.1" status: 200 len: 1234 received: 0 time: 0.0041 request_id: req-… user: … project: …}
 */
public final class AccessLog implements Consumer<CompletedRequest> {
    public static final String LOGGER = "ferry.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    @Override
    public void accept(CompletedRequest r) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String target = r.query() == null || r.query().isEmpty() ? r.uri() : r.uri() + "?" + r.query();
        String previous = MDC.get("request_id");
        if (r.requestId() != null) {
            MDC.put("request_id", r.requestId());
        }
        try {
            LOG.info("{} \"{} {} {}\" status: {} len: {} received: {} time: {} request_id: {} user: {} project: {}",
                    r.remote(), r.method(), clean(target), r.protocol(), r.status(), r.sent(), r.received(),
                    String.format(Locale.ROOT, "%.7f", r.nanos() / 1e9), orDash(r.requestId()), orDash(r.user()),
                    orDash(r.project()));
        } finally {
            if (previous == null) {
                MDC.remove("request_id");
            } else {
                MDC.put("request_id", previous);
            }
        }
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** The raw URI is percent-encoded already; control characters would still forge log lines. */
    private static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"') {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append(String.format(Locale.ROOT, "%%%02X", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
