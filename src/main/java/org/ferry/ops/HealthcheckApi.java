package org.ferry.ops;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.ferry.http.ApiRequest;
import org.ferry.http.Json;
import org.ferry.http.RequestFacts;
import org.ferry.http.Responses;
import org.ferry.http.Router;
import org.ferry.auth.AuthenticationException;
import org.ferry.auth.Authenticator;
import org.ferry.auth.RequestContext;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /healthcheck} as oslo.middleware's healthcheck app answers it in Glance: no authentication; GET 200 "OK"
 * (text/plain, or oslo's JSON for an Accept that prefers it), HEAD 204, 503 with the reasons when a check of
 * {@code [healthcheck] backends} fails (e.g. "DISABLED BY FILE"). Unlike oslo, whose detailed mode shows everybody
 * everything, the detailed answer (every check, with what it found) goes only to an authenticated admin who asks
 * for JSON; anybody else gets the simple answer, never a detail.
 */
public final class HealthcheckApi {
    private static final String TEXT = "text/plain; charset=UTF-8";
    private static final String JSON = "application/json; charset=UTF-8";

    private final HealthChecks checks;
    private final Set<String> backends;
    private final boolean detailed;
    private final Authenticator authenticator;

    public HealthcheckApi(HealthChecks checks, List<String> backends, boolean detailed, Authenticator authenticator) {
        this.checks = checks;
        this.backends = Set.copyOf(backends);
        this.detailed = detailed;
        this.authenticator = authenticator;
    }

    public void register(Router r) {
        r.addPublic("GET", "/healthcheck", this::get);
        r.addPublic("HEAD", "/healthcheck", this::head);
    }

    void head(ApiRequest req) {
        boolean healthy = healthy(checks.run(c -> backends.contains(c.backend())));
        Responses.send(req.exchange(), healthy ? 204 : 503, TEXT, "");
    }

    void get(ApiRequest req) {
        HttpServerExchange ex = req.exchange();
        boolean json = prefersJson(req.header(Headers.ACCEPT_STRING));
        if (json && detailed && isAdmin(req)) {
            List<HealthChecks.Outcome> all = checks.run(c -> true);
            boolean healthy = healthy(all);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("detailed", true);
            body.put("healthy", healthy);
            body.put("now", Instant.now().toString());
            body.put("reasons", all.stream().map(o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("check", o.name());
                m.put("backend", o.backend());
                m.put("available", o.available());
                m.put("reason", o.reason());
                m.put("details", o.details() == null ? "" : o.details());
                m.put("duration_ms", o.millis());
                return m;
            }).toList());
            Responses.send(ex, healthy ? 200 : 503, JSON, Json.write(body));
            return;
        }
        List<HealthChecks.Outcome> simple = checks.run(c -> backends.contains(c.backend()));
        boolean healthy = healthy(simple);
        List<String> reasons = healthy ? List.of("OK")
                : simple.stream().filter(o -> !o.available()).map(HealthChecks.Outcome::reason).distinct().toList();
        int status = healthy ? 200 : 503;
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("detailed", false);
            body.put("reasons", reasons);
            Responses.send(ex, status, JSON, Json.write(body));
        } else {
            Responses.send(ex, status, TEXT, String.join("\n", reasons));
        }
    }

    private static boolean healthy(List<HealthChecks.Outcome> outcomes) {
        return outcomes.stream().allMatch(HealthChecks.Outcome::available);
    }

    /** The health check never asks for credentials: a missing, invalid or unverifiable token is simply not admin. */
    private boolean isAdmin(ApiRequest req) {
        HttpServerExchange ex = req.exchange();
        try {
            RequestContext ctx = authenticator.authenticate(req.header("X-Auth-Token"), req::header,
                    ex.getResponseHeaders().getFirst("x-openstack-request-id"));
            ex.putAttachment(RequestFacts.CALLER, ctx);
            return ctx.isAdmin();
        } catch (AuthenticationException e) {
            return false;
        }
    }

    /**
     * Whether Accept prefers application/json to text/plain, as webob picks among oslo's offers (text/plain first on
     * a tie; no Accept means text/plain).
     */
    static boolean prefersJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        return quality(accept, "application", "json") > quality(accept, "text", "plain");
    }

    /** The q of the most specific media range of {@code accept} that matches type/subtype, 0 if none. */
    private static double quality(String accept, String type, String subtype) {
        double best = 0;
        int bestSpecificity = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String media = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
            int slash = media.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String t = media.substring(0, slash);
            String s = media.substring(slash + 1);
            int specificity;
            if (t.equals(type) && s.equals(subtype)) {
                specificity = 2;
            } else if (t.equals(type) && s.equals("*")) {
                specificity = 1;
            } else if (t.equals("*") && s.equals("*")) {
                specificity = 0;
            } else {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2).strip());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                best = q;
            }
        }
        return best;
    }
}
