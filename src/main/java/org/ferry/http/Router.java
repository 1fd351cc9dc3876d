package org.ferry.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Method + path template ({@code /v2/images/{id}/tags/{tag}}) to handler; tells 404 from 405 and builds Allow. */
public final class Router {
    @FunctionalInterface
    public interface Handler {
        void handle(ApiRequest request) throws Exception;
    }

    /** Options of one route: whether it needs an authenticated caller and whether a body is refused. */
    public record Route(String method, String template, String[] segments, Handler handler, boolean authenticated) {
    }

    public record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), handler, true));
        return this;
    }

    public Router addPublic(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), handler, false));
        return this;
    }

    /** The route for a request, or an ApiException 404 / 405 (with Allow). */
    public Match match(String method, String path) {
        String[] parts = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Optional<Map<String, String>> params = bind(r.segments(), parts);
            if (params.isEmpty()) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r, params.get());
            }
            allowed.add(r.method());
        }
        if (!allowed.isEmpty()) {
            throw new ApiException(405, "The method is not allowed for this resource.")
                    .header("Allow", String.join(", ", allowed));
        }
        throw new ApiException(404, "");
    }

    private static Optional<Map<String, String>> bind(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    /** "/v2/images/" splits into [v2, images, ""], so a trailing slash never matches a template without one. */
    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.split("/", -1);
    }
}
