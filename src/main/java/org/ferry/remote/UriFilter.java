package org.ferry.remote;


import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * [import_filtering_opts] applied to a URL: scheme, host and port allow/deny lists as Glance applies them, plus
 * what Glance misses: every address the host resolves to is checked against the host lists too, so a name that
 * resolves to a denied address is refused.
 */
public final class UriFilter {
    private final ImportFiltering opts;
    private final Resolver resolver;

    /** Name resolution, replaceable in tests. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public UriFilter(ImportFiltering opts) {
        this(opts, InetAddress::getAllByName);
    }

    public UriFilter(ImportFiltering opts, Resolver resolver) {
        this.opts = opts;
        this.resolver = resolver;
    }

    /** @return empty if the URL passes, else why not; the host's addresses are resolved and checked too */
    public Optional<String> check(String url) {
        return check(url, true);
    }

    /**
     * The checks that need no name resolution (scheme, host and port lists, numeric shorthands): what the import API
     * applies before answering 202. Resolution happens in the task, on every request it makes, so a name that does
     * not resolve (or resolves to a denied address) fails the task, as tempest expects of Glance.
     */
    public Optional<String> checkWithoutResolving(String url) {
        return check(url, false);
    }

    private Optional<String> check(String url, boolean resolve) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URI");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!opts.allowedSchemes().isEmpty()) {
            if (!opts.allowedSchemes().contains(scheme)) {
                return Optional.of("scheme '" + scheme + "' is not in allowed_schemes");
            }
        } else if (opts.disallowedSchemes().contains(scheme)) {
            return Optional.of("scheme '" + scheme + "' is in disallowed_schemes");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.matches("[0-9]+") || host.matches("[0-9.]+") && !host.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            return Optional.of("host '" + host + "' is a numeric shorthand, not an address");
        }
        InetAddress[] addresses = new InetAddress[0];
        if (resolve) {
            try {
                addresses = resolver.resolve(host);
            } catch (UnknownHostException e) {
                return Optional.of("host '" + host + "' does not resolve");
            }
        }
        if (!opts.allowedHosts().isEmpty()) {
            if (!opts.allowedHosts().contains(host)) {
                return Optional.of("host '" + host + "' is not in allowed_hosts");
            }
        } else {
            if (opts.disallowedHosts().contains(host)) {
                return Optional.of("host '" + host + "' is in disallowed_hosts");
            }
            for (InetAddress a : addresses) {
                String ip = a.getHostAddress().toLowerCase(Locale.ROOT);
                if (opts.disallowedHosts().contains(ip)) {
                    return Optional.of("host '" + host + "' resolves to " + ip + ", which is in disallowed_hosts");
                }
            }
        }
        int port = u.getPort();
        if (port >= 0) {
            if (!opts.allowedPorts().isEmpty()) {
                if (!opts.allowedPorts().contains(port)) {
                    return Optional.of("port " + port + " is not in allowed_ports");
                }
            } else if (opts.disallowedPorts().contains(port)) {
                return Optional.of("port " + port + " is in disallowed_ports");
            }
        }
        return Optional.empty();
    }
}
