package org.ferry.store.swift;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.ferry.auth.RequestContext;
import org.ferry.json.Jackson;
import org.ferry.store.DriverOptions;
import org.ferry.store.LocationUrls;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.store.SwiftStoreOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Glance's swift store. Single-tenant: each image is the object named by the image id in swift_store_container (or
 * one of several containers, swift_store_multiple_containers_seed) of the account that default_swift_reference
 * names; locations are written as {@code swift+config://<reference>/<container>/<image id>}; Glance's locations with
 * credentials are read too. Multi-tenant (swift_store_multi_tenant): each image is in its own container
 * {@code <swift_store_container>_<image id>} of the writing user's account, reached with the caller's token
 * ({@link TenantAccounts}); the location is the storage URL ({@code swift+https://<storage url>/<container>/<id>}),
 * and the container's ACLs let the image's members, or everyone when it is public, read it. Either way large images
 * are segments and a DLO manifest (see {@link SwiftWrite}).
 */
public final class SwiftStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftStore.class);
    /**
     * The segment names Glance and Ferry write: an image id (a UUID), a dash, five or more digits. The id must be a
     * whole UUID: an image id whose last group is all digits would otherwise pass for a segment of a shorter name.
     */
    private static final Pattern SEGMENT = Pattern.compile(
            "(\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12})-(\\d{5,})");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final StoreSettings settings;
    private final SwiftStoreOptions options;
    private final OkHttpClient http;
    private final SwiftAccount.AccountOptions accountOptions;
    private final Map<String, SwiftAccount> accounts = new ConcurrentHashMap<>();
    private final ExecutorService uploads;
    private final SwiftContainers containers;
    private final TenantAccounts tenants;

    public SwiftStore(StoreSettings settings, SwiftStoreOptions options, OkHttpClient http) {
        this.settings = settings;
        this.options = options;
        this.http = SwiftTls.client(http, options.cacert(), options.authInsecure());
        this.accountOptions = new SwiftAccount.AccountOptions(options.endpoint(), options.serviceType(),
                options.region(), options.endpointType(), Duration.ofSeconds(options.expireSoonSeconds()));
        this.uploads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ferry-swift-" + settings.id() + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.tenants = new TenantAccounts(options, accountOptions, this.http);
        // a multi-tenant container (one per image) is looked at once: not kept
        this.containers = new SwiftContainers(settings.id(), options.createContainerOnPut(), !options.multiTenant());
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public DriverOptions options() {
        return options;
    }

    /** As Glance's discovery API: sizes in bytes. */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("container", options.container());
        p.put("large_object_size", options.largeObjectSizeBytes());
        p.put("large_object_chunk_size", options.chunkSizeBytes());
        return p;
    }

    public String urlOf(String imageId) {
        return SwiftLocation.ofReference(options.defaultReference(), options.containerFor(imageId), imageId).url();
    }

    private SwiftAccount defaultAccount() {
        return account(options.references().get(options.defaultReference()));
    }

    private SwiftAccount account(SwiftReference ref) {
        // a location's own credentials make an account of their own, kept by address and user
        String key = ref.name() + "|" + ref.authAddress() + "|" + ref.user() + "|" + ref.key().hashCode();
        return accounts.computeIfAbsent(key, k -> new SwiftAccount(ref, accountOptions, http));
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        return beginWrite(imageId, -1, null);
    }

    @Override
    public StoreWrite beginWrite(String imageId, long expectedSize) throws IOException {
        return beginWrite(imageId, expectedSize, null);
    }

    @Override
    public StoreWrite beginWrite(String imageId, long expectedSize, RequestContext caller) throws IOException {
        SwiftAccount account;
        String container;
        String url;
        if (options.multiTenant()) {
            account = tenants.forWrite(caller);
            container = options.multiTenantContainerFor(imageId);
            url = SwiftLocation.ofStorageUrl(account.url(), container, imageId).url();
        } else {
            account = defaultAccount();
            container = options.containerFor(imageId);
            url = urlOf(imageId);
        }
        boolean created = containers.ensure(account, container);
        if (SwiftObjects.exists(account, container, imageId)) {
            throw new IOException("Swift already has an image at this location");
        }
        removeSegments(account, container, imageId); // a crashed write's: the manifest would list them too
        boolean segmented = expectedSize < 0 || expectedSize >= options.largeObjectSizeBytes();
        SwiftWrite write = new SwiftWrite(account, http, uploads, container, imageId, url, expectedSize,
                options.chunkSizeBytes(), segmented);
        return created && options.multiTenant() ? new ContainerWrite(write, containers, account, container) : write;
    }

    /**
     * A swift URL whose account this store knows: a reference of its own, or an auth address one of them has; with
     * swift_store_multi_tenant also a storage URL without credentials (read with the caller's token).
     */
    @Override
    public boolean owns(String url) {
        return SwiftLocation.parse(url).map(l -> options.multiTenant() && l.atStorageUrl()
                || referenceFor(l).isPresent()).orElse(false);
    }

    @Override
    public boolean readsWithItsOwnAccess(String url) {
        return SwiftLocation.parse(url).map(SwiftLocation::byReference).orElse(false);
    }

    private java.util.Optional<SwiftReference> referenceFor(SwiftLocation l) {
        if (l.byReference()) {
            return java.util.Optional.ofNullable(options.references().get(l.reference()));
        }
        if (l.user() == null) {
            return java.util.Optional.empty(); // a multi-tenant storage URL: the caller's token would be needed
        }
        HttpUrl address = HttpUrl.parse(l.addressUrl());
        return options.references().values().stream().filter(r -> sameAddress(HttpUrl.parse(r.authAddress()),
                address)).findFirst().map(r -> r.withCredentials(l.user(), l.key()));
    }

    private static boolean sameAddress(HttpUrl a, HttpUrl b) {
        return a != null && b != null && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port()
                && trimSlash(a.encodedPath()).equals(trimSlash(b.encodedPath()));
    }

    private static String trimSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** The account and object of a location of this store. */
    private record Located(SwiftAccount account, SwiftLocation location) {
    }

    private Located locate(String url, RequestContext caller) throws IOException {
        SwiftLocation l = SwiftLocation.parse(url)
                .orElseThrow(() -> new IOException("not a swift location: " + LocationUrls.shown(url)));
        if (options.multiTenant() && l.atStorageUrl()) {
            return new Located(tenants.forLocation(l, caller), l);
        }
        SwiftReference ref = referenceFor(l).orElseThrow(() -> new IOException("store " + id()
                + " does not serve " + LocationUrls.shown(url)));
        return new Located(account(ref), l);
    }

    @Override
    public StoreData open(String url) throws IOException {
        return open(url, null);
    }

    @Override
    public StoreData open(String url, RequestContext caller) throws IOException {
        Located at = locate(url, caller);
        SwiftLocation l = at.location();
        long size;
        String manifest;
        try (Response r = at.account().send(new Request.Builder().url(at.account().url(l.container(), l.object()))
                .head())) {
            if (r.code() == 404) {
                throw new FileNotFoundException("Swift could not find object " + l.object() + ".");
            }
            if (r.code() / 100 != 2) {
                throw answered("reading " + l.container() + "/" + l.object(), r);
            }
            size = Long.parseLong(java.util.Objects.requireNonNullElse(r.header("Content-Length"), "0"));
            manifest = r.header("X-Object-Manifest");
        }
        List<SwiftReadStream.Piece> pieces = manifest == null ? List.of() : segments(at.account(), manifest, size);
        if (pieces.isEmpty()) {
            pieces = List.of(new SwiftReadStream.Piece(l.container(), l.object(), size));
        }
        return new StoreData(size, null, new SwiftReadStream(at.account(), pieces, size, options.retryGetCount()));
    }

    /**
     * A dynamic large object's segments, read one by one instead of through its manifest: Swift's dlo middleware
     * serves a manifest at one segment per second after the tenth (rate_limit_after_segment,
     * rate_limit_segments_per_sec), 4 MiB/s with 4 MiB segments. Empty when the listing does not add up to the
     * manifest's size (then the manifest is read as it is).
     */
    private static List<SwiftReadStream.Piece> segments(SwiftAccount account, String manifest, long size)
            throws IOException {
        Manifest m = Manifest.parse(manifest);
        if (m == null) {
            return List.of();
        }
        List<SwiftReadStream.Piece> pieces = new ArrayList<>();
        long total = 0;
        for (SwiftObjects.Listed o : SwiftObjects.list(account, m.container(), m.prefix())) {
            if (o.bytes() > 0) {
                pieces.add(new SwiftReadStream.Piece(m.container(), o.name(), o.bytes()));
                total += o.bytes();
            }
        }
        return total == size ? pieces : List.of();
    }

    @Override
    public void delete(String url) throws IOException {
        delete(url, null);
    }

    /**
     * Deletes as Glance: a static large object with its segments ({@code multipart-manifest=delete}); a dynamic one's
     * segments, then its manifest; else the object. An object already gone is fine. In the multi-tenant store the
     * image's container goes too, as Glance's MultiTenantStore.delete does.
     */
    @Override
    public void delete(String url, RequestContext caller) throws IOException {
        Located at = locate(url, caller);
        deleteObject(at.account(), at.location());
        if (options.multiTenant() && at.location().atStorageUrl()) {
            containers.delete(at.account(), at.location().container());
        }
    }

    private void deleteObject(SwiftAccount account, SwiftLocation l) throws IOException {
        String manifest;
        boolean slo;
        try (Response r = account.send(new Request.Builder().url(account.url(l.container(), l.object())).head())) {
            if (r.code() == 404) {
                return;
            }
            if (r.code() / 100 != 2) {
                throw answered("deleting " + l.container() + "/" + l.object(), r);
            }
            manifest = r.header("X-Object-Manifest");
            slo = "true".equalsIgnoreCase(r.header("X-Static-Large-Object"));
        }
        if (slo) {
            HttpUrl u = account.url(l.container(), l.object()).newBuilder()
                    .addQueryParameter("multipart-manifest", "delete").build();
            SwiftObjects.deleteObject(account, u, l.container() + "/" + l.object());
            return;
        }
        if (manifest != null) {
            Manifest m = Manifest.parse(manifest);
            if (m != null) {
                SwiftObjects.deleteAll(uploads, account, m.container(), SwiftObjects.listNames(account, m.container(),
                        m.prefix()));
            }
        }
        SwiftObjects.deleteObject(account, account.url(l.container(), l.object()), l.container() + "/" + l.object());
    }

    /** The segments {@code <image id>-NNNNN} of an image in a container, without a manifest or not. */
    private static List<String> segmentsOf(SwiftAccount account, String container, String imageId) throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : SwiftObjects.listNames(account, container, imageId + "-")) {
            Matcher m = SEGMENT.matcher(name);
            if (m.matches() && m.group(1).equals(imageId)) {
                out.add(name);
            }
        }
        return out;
    }

    private void removeSegments(SwiftAccount account, String container, String imageId) throws IOException {
        List<String> segments = segmentsOf(account, container, imageId);
        if (!segments.isEmpty()) {
            SwiftObjects.deleteAll(uploads, account, container, segments);
            LOG.info("store {}: removed {} segments of image {} an unfinished write left", id(), segments.size(),
                    imageId);
        }
    }

    @Override
    public boolean keepsAcls() {
        return options.multiTenant();
    }

    /**
     * As Glance's MultiTenantStore.set_acls: {@code X-Container-Read} is {@code *:*} for everyone, else
     * {@code <project>:*} for each reader (empty: the owner only); {@code X-Container-Write} the admin tenants.
     */
    @Override
    public void setAcls(String url, boolean everyone, java.util.Collection<String> readProjects,
                        RequestContext caller) throws IOException {
        SwiftLocation l = SwiftLocation.parse(url).orElse(null);
        if (!options.multiTenant() || l == null || !l.atStorageUrl()) {
            return;
        }
        containers.setAcls(tenants.forLocation(l, caller), l.container(), everyone ? List.of("*:*")
                : readProjects.stream().map(p -> p + ":*").toList(),
                options.adminTenants().stream().map(p -> p + ":*").toList());
    }

    /** Removes the segments an unfinished write of this image left (they have no manifest). */
    @Override
    public void purgePartials(String imageId) throws IOException {
        if (options.multiTenant()) {
            return; // in the account of a user whose token Ferry no longer has
        }
        SwiftAccount account = defaultAccount();
        String container = options.containerFor(imageId);
        if (!SwiftObjects.exists(account, container, imageId)) {
            removeSegments(account, container, imageId);
        }
    }

    /**
     * The image ids with segments but no manifest in this store's container(s): writes a crash cut short, or running
     * now (the sweep asks the catalog which).
     */
    @Override
    public List<String> unfinishedWrites() throws IOException {
        if (options.multiTenant()) {
            return List.of(); // Ferry has no token for the users' accounts
        }
        SwiftAccount account = defaultAccount();
        Set<String> ids = new LinkedHashSet<>();
        for (String container : containers(account)) {
            List<String> names = SwiftObjects.listNames(account, container, "");
            Set<String> objects = new java.util.HashSet<>(names);
            for (String name : names) {
                Matcher m = SEGMENT.matcher(name);
                if (m.matches() && !objects.contains(m.group(1))) {
                    ids.add(m.group(1));
                }
            }
        }
        return new ArrayList<>(ids);
    }

    /** The container, or with swift_store_multiple_containers_seed every {@code <container>_…} of the account. */
    private List<String> containers(SwiftAccount account) throws IOException {
        if (options.multipleContainersSeed() == 0) {
            return List.of(options.container());
        }
        HttpUrl u = account.url().newBuilder().addQueryParameter("format", "json")
                .addQueryParameter("prefix", options.container() + "_").build();
        List<String> out = new ArrayList<>();
        try (Response r = account.send(new Request.Builder().url(u).get())) {
            if (r.code() / 100 != 2) {
                throw answered("listing the containers of " + account, r);
            }
            if (r.code() == 200) {
                for (JsonNode c : Jackson.MAPPER.readTree(r.body().byteStream())) {
                    out.add(c.path("name").asText());
                }
            }
        }
        return out;
    }

    /** A dynamic large object's {@code X-Object-Manifest}: its segments' container and name prefix, unescaped. */
    private record Manifest(String container, String prefix) {
        /** @return null when the header is not {@code <container>/<prefix>} */
        static Manifest parse(String header) {
            HttpUrl parsed = HttpUrl.parse("http://x/" + header);
            if (parsed == null || parsed.pathSize() < 2) {
                return null;
            }
            return new Manifest(parsed.pathSegments().get(0),
                    String.join("/", parsed.pathSegments().subList(1, parsed.pathSize())));
        }
    }

    /** A refusal of Swift's as an IOException that says what was done and what Swift answered (never a token). */
    static IOException answered(String what, Response r) {
        String body = "";
        try {
            if (r.body() != null && !r.request().method().equals("HEAD")) {
                body = r.body().string();
                body = body.length() > 200 ? body.substring(0, 200) + "…" : body;
            }
        } catch (IOException ignored) {
            // the status says enough
        }
        return new IOException(what + ": Swift answered " + r.code() + (body.isBlank() ? "" : " " + body.strip()));
    }

    /** Stops the store's threads (tests; Ferry keeps its stores until it exits). */
    public void close() {
        uploads.shutdownNow();
    }

    @Override
    public String toString() {
        return "swift store " + id() + " (" + (options.multiTenant() ? "multi-tenant"
                : options.references().get(options.defaultReference())) + ", container " + options.container() + ")";
    }
}
