package org.ferry.store.swift;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.ferry.auth.RequestContext;
import org.ferry.store.SwiftStoreOptions;

import java.io.IOException;
import java.util.List;

/**
 * The accounts of swift_store_multi_tenant: the caller's token on a storage URL, as Glance's MultiTenantStore uses
 * them (preauthurl, preauthtoken). A new image goes to the storage URL of the caller's own catalog (or
 * swift_store_endpoint); an existing location is reached at the storage URL it names, and only when that URL is on
 * the Swift the catalog (or swift_store_endpoint) points to: a location naming another host would otherwise receive
 * the token of whoever reads it.
 */
final class TenantAccounts {
    private final SwiftStoreOptions options;
    private final SwiftAccount.AccountOptions accountOptions;
    private final OkHttpClient http;

    TenantAccounts(SwiftStoreOptions options, SwiftAccount.AccountOptions accountOptions, OkHttpClient http) {
        this.options = options;
        this.accountOptions = accountOptions;
        this.http = http;
    }

    /** The caller's own account, where a new image goes. */
    SwiftAccount forWrite(RequestContext caller) throws IOException {
        String token = tokenOf(caller);
        String storage = options.endpoint().isEmpty()
                ? SwiftAccount.storageUrl(accountOptions, caller.serviceCatalog()).orElseThrow(() -> new IOException(
                "the caller's service catalog has no " + options.serviceType() + " endpoint of interface "
                        + options.endpointType() + (options.region().isEmpty() ? ""
                        : " in region " + options.region()) + ", so the multi-tenant swift store has no account to "
                        + "write to"))
                : options.endpoint();
        HttpUrl url = HttpUrl.parse(storage);
        if (url == null) {
            throw new IOException("the storage URL " + storage + " is not a URL");
        }
        return SwiftAccount.ofCaller(token, url, http);
    }

    /** The account a location names, used with the caller's token (the container's ACLs decide). */
    SwiftAccount forLocation(SwiftLocation l, RequestContext caller) throws IOException {
        String token = tokenOf(caller);
        HttpUrl storage = HttpUrl.parse(l.addressUrl());
        if (storage == null) {
            throw new IOException("not a storage URL: " + l);
        }
        List<String> known = options.endpoint().isEmpty()
                ? caller.serviceCatalog().stream().filter(e -> options.serviceType().equals(e.serviceType()))
                .map(RequestContext.CatalogEndpoint::url).toList()
                : List.of(options.endpoint());
        if (known.stream().map(HttpUrl::parse).noneMatch(e -> sameSwift(e, storage))) {
            throw new IOException("the location " + l + " is not on the Swift of the caller's catalog ("
                    + options.serviceType() + " " + String.join(", ", known) + "); its data is not read");
        }
        return SwiftAccount.ofCaller(token, storage, http);
    }

    /** Same scheme, host, port and path but for the account (the last segment: AUTH_<project>). */
    static boolean sameSwift(HttpUrl endpoint, HttpUrl storage) {
        if (endpoint == null || !endpoint.scheme().equals(storage.scheme())
                || !endpoint.host().equalsIgnoreCase(storage.host()) || endpoint.port() != storage.port()) {
            return false;
        }
        return parent(endpoint).equals(parent(storage));
    }

    private static List<String> parent(HttpUrl u) {
        List<String> segments = u.pathSegments().stream().filter(s -> !s.isEmpty()).toList();
        return segments.isEmpty() ? segments : segments.subList(0, segments.size() - 1);
    }

    private static String tokenOf(RequestContext caller) throws IOException {
        if (caller == null) {
            throw new IOException("the multi-tenant swift store needs the token of the user this is done for, and "
                    + "none is known (an import resumed after Ferry restarted has none; start it again)");
        }
        if (caller.authToken() == null || caller.authToken().isEmpty()) {
            throw new IOException("the multi-tenant swift store needs a Keystone token; this request has none");
        }
        return caller.authToken();
    }
}
