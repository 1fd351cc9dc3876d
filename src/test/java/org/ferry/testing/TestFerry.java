package org.ferry.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.app.Ferry;
import org.ferry.app.FerryConfig;
import org.ferry.config.IniFile;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real Ferry (HTTP server, catalog, stores, Camel routes) in this JVM on a free loopback port, configured from an
 * INI text like the shipped one, with every path under a test directory. Either started by a test ({@link #start})
 * or, the common case, one per test class as a JUnit extension ({@link #perClass}), which starts it before the
 * class's tests and stops it (with its directory and Keystone stub) after them.
 */
public final class TestFerry implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private Ferry ferry;
    private Path dir;
    private String url;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5))
            .writeTimeout(Duration.ofMinutes(5)).retryOnConnectionFailure(false).build();
    /** Only for {@link #perClass}: how the class's Ferry is configured, and the Keystone it trusts. */
    private final BiConsumer<Path, Map<String, Map<String, String>>> edit;
    private KeystoneStub keystone;

    private TestFerry(Ferry ferry, Path dir) {
        this.edit = null;
        started(ferry, dir);
    }

    private TestFerry(BiConsumer<Path, Map<String, Map<String, String>>> edit) {
        this.edit = edit;
    }

    private void started(Ferry ferry, Path dir) {
        this.ferry = ferry;
        this.dir = dir;
        this.url = "http://127.0.0.1:" + ferry.port();
    }

    /**
     * The one Ferry of a test class, as a JUnit extension: {@code @RegisterExtension static final TestFerry ferry =
     * TestFerry.perClass();} starts it with the {@link #defaults} in a directory of its own before the class's tests
     * and stops it (and the directory) after them.
     */
    public static TestFerry perClass() {
        return new TestFerry((dir, c) -> {
        });
    }

    /** {@link #perClass()} with {@code edit} applied to the {@link #defaults} first. */
    public static TestFerry perClass(Consumer<Map<String, Map<String, String>>> edit) {
        return new TestFerry((dir, c) -> edit.accept(c));
    }

    /** {@link #perClass()} with {@code edit} applied to the {@link #defaults} first; it gets the Ferry's directory. */
    public static TestFerry perClass(BiConsumer<Path, Map<String, Map<String, String>>> edit) {
        return new TestFerry(edit);
    }

    /** This {@link #perClass} Ferry with any port allowed for downloads, as {@link #anyPortConfig}. */
    public TestFerry anyPort() {
        if (edit == null) {
            throw new IllegalStateException("anyPort() is for a perClass() Ferry");
        }
        TestFerry f = new TestFerry((dir, c) -> {
            section(c, "import_filtering_opts").put("allowed_ports", "[]");
            edit.accept(dir, c);
        });
        f.keystone = keystone;
        return f;
    }

    /** A {@link #perClass} Ferry validating tokens against {@code keystone}, which it closes after the class. */
    public TestFerry behind(KeystoneStub keystone) {
        if (edit == null) {
            throw new IllegalStateException("behind() is for a perClass() Ferry");
        }
        this.keystone = keystone;
        return this;
    }

    /** The Keystone this Ferry trusts ({@link #behind}). */
    public KeystoneStub keystone() {
        return keystone;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (edit == null) {
            throw new IllegalStateException("a started TestFerry is not an extension: use TestFerry.perClass()");
        }
        Path d = Files.createTempDirectory("ferry-test-");
        Map<String, Map<String, String>> c = defaults(d);
        if (keystone != null) {
            keystone(c, keystone.url());
        }
        edit.accept(d, c);
        TestFerry f = start(d, c);
        started(f.ferry, d);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (ferry != null) {
                ferry.close();
            }
            if (keystone != null) {
                keystone.close();
            }
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Sections of the shipped defaults for tests: two file stores (fast default, cheap), H2, no auth. */
    public static Map<String, Map<String, String>> defaults(Path dir) {
        Map<String, Map<String, String>> c = new LinkedHashMap<>();
        section(c, "DEFAULT").putAll(Map.of("bind_host", "127.0.0.1", "bind_port", "0",
                "enabled_backends", "fast:file, cheap:file",
                "enabled_import_methods", "[glance-direct, web-download, copy-image, glance-download]"));
        section(c, "glance_store").put("default_backend", "fast");
        section(c, "fast").putAll(Map.of("filesystem_store_datadir", dir.resolve("fast").toString(),
                "store_description", "Fast store", "weight", "100"));
        section(c, "cheap").putAll(Map.of("filesystem_store_datadir", dir.resolve("cheap").toString(),
                "store_description", "Cheap store", "weight", "10"));
        section(c, "os_glance_staging_store").put("filesystem_store_datadir", dir.resolve("staging").toString());
        section(c, "database").put("connection", "jdbc:h2:file:" + dir.resolve("db/ferry"));
        return c;
    }

    /** Makes {@code c} validate tokens against a (stub) Keystone. */
    public static void keystone(Map<String, Map<String, String>> c, String keystoneUrl) {
        section(c, "paste_deploy").put("flavor", "keystone");
        section(c, "keystone_authtoken").putAll(Map.of("www_authenticate_uri", keystoneUrl, "auth_url", keystoneUrl,
                "username", "glance", "password", "secret", "project_name", "service"));
    }

    /** {@link #defaults} with any port allowed for downloads (test remotes listen on loopback ports). */
    public static Map<String, Map<String, String>> anyPortConfig(Path dir) {
        Map<String, Map<String, String>> c = defaults(dir);
        section(c, "import_filtering_opts").put("allowed_ports", "[]");
        return c;
    }

    /** A started WireMock server on 127.0.0.1 and a free port, for a test's remote. */
    public static WireMockServer wiremock() {
        return WebServer.started();
    }

    public static Map<String, String> section(Map<String, Map<String, String>> c, String name) {
        return c.computeIfAbsent(name, k -> new LinkedHashMap<>());
    }

    public static TestFerry start(Path dir) {
        return start(dir, defaults(dir));
    }

    public static TestFerry start(Path dir, Map<String, Map<String, String>> sections) {
        try {
            Path conf = writeConf(dir.resolve("ferry.conf"), sections);
            FerryConfig config = FerryConfig.from(IniFile.read(conf), dir, projectConf());
            return new TestFerry(Ferry.start(config), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Ferry did not start", e);
        }
    }

    /** Writes {@code sections} as an INI file at {@code conf} (creating its directory); returns {@code conf}. */
    public static Path writeConf(Path conf, Map<String, Map<String, String>> sections) throws IOException {
        StringBuilder ini = new StringBuilder();
        sections.forEach((name, opts) -> {
            ini.append('[').append(name).append("]\n");
            opts.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        });
        Files.createDirectories(conf.toAbsolutePath().getParent());
        Files.writeString(conf, ini);
        return conf;
    }

    /** The repository's conf/ directory (schema-image.json). */
    public static Path projectConf() {
        return Path.of(System.getProperty("ferry.project.dir", ".")).resolve("conf").toAbsolutePath();
    }

    public String url() {
        return url;
    }

    public Path dir() {
        return dir;
    }

    public Ferry ferry() {
        return ferry;
    }

    public OkHttpClient http() {
        return http;
    }

    /** One request; headers as name, value pairs. */
    public TestResponse call(String method, String path, String contentType, byte[] body, String... headers) {
        return send(http, url, method, path, contentType, body, headers);
    }

    /** One request to another listener of this Ferry on {@code port} (the metrics port). */
    public TestResponse callPort(int port, String method, String path, String contentType, byte[] body,
                                 String... headers) {
        return send(http, "http://127.0.0.1:" + port, method, path, contentType, body, headers);
    }

    /** One request with {@code http} to the server at {@code base}; headers as name, value pairs. */
    public static TestResponse send(OkHttpClient http, String base, String method, String path, String contentType,
                                    byte[] body, String... headers) {
        Request.Builder b = new Request.Builder().url(base + path);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.addHeader(headers[i], headers[i + 1]);
        }
        RequestBody rb = body == null ? (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                ? RequestBody.create(new byte[0], null) : null)
                : RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
        b.method(method, rb);
        try (Response r = http.newCall(b.build()).execute()) {
            return new TestResponse(r.code(), r.headers().toMultimap(), r.body() == null ? new byte[0] : r.body().bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestResponse get(String path, String... headers) {
        return call("GET", path, null, null, headers);
    }

    public TestResponse delete(String path, String... headers) {
        return call("DELETE", path, null, null, headers);
    }

    public TestResponse postJson(String path, String json, String... headers) {
        return call("POST", path, "application/json", json.getBytes(), headers);
    }

    public TestResponse patch(String path, String json, String... headers) {
        return call("PATCH", path, "application/openstack-images-v2.1-json-patch", json.getBytes(), headers);
    }

    public TestResponse putData(String path, byte[] data, String... headers) {
        return call("PUT", path, "application/octet-stream", data, headers);
    }

    @Override
    public void close() {
        ferry.close();
    }

    /** Closes each of {@code ferries} that started (a failed start leaves null), in the order given. */
    public static void closeAll(TestFerry... ferries) {
        for (TestFerry f : ferries) {
            if (f != null) {
                f.close();
            }
        }
    }

    /** A finished response with its body read. */
    public record TestResponse(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        public com.fasterxml.jackson.databind.JsonNode json() {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }
    }
}
