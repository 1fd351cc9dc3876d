package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import org.ferry.config.IniFile;
import org.awaitility.core.ConditionTimeoutException;
import org.ferry.testing.TestFerry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The OpenStack lab of {@code scripts/openstack-lab.sh} as the interop tests see it: its settings (from the script's
 * {@code env}), Keystone tokens of the lab's users, plain HTTP calls to Glance and Ferry, and a Ferry started in this
 * JVM as the lab's RegionThree from the script's {@code ferry-conf} (keystone flavor, the lab's port 9494).
 *
 * <p>The lab directory is {@code -Dferry.lab.dir}, else {@code $FERRY_LAB_DIR}, else {@code /tmp/ferry-lab} (the
 * script's default). The lab must be up: these tests do not start it.
 */
final class Lab {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("ferry.project.dir", ".")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("scripts/openstack-lab.sh");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final MediaType JSON_TYPE = MediaType.get("application/json");
    static final MediaType OCTETS = MediaType.get("application/octet-stream");
    static final MediaType PATCH_TYPE = MediaType.get("application/openstack-images-v2.1-json-patch");
    static final Duration POLL = Duration.ofMillis(500);

    private static Lab instance;

    final Path dir;
    final Map<String, String> env;
    /**
     * Without retries, so a test sees each answer as the server gave it; so an idle connection is not kept longer than
     * the lab's servers keep theirs (Swift's proxy drops one idle for its client_timeout, 60 s; a request sent on it
     * then fails with "unexpected end of stream").
     */
    final OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofMinutes(5)).writeTimeout(Duration.ofMinutes(5)).callTimeout(Duration.ZERO)
            .connectionPool(new okhttp3.ConnectionPool(5, 10, java.util.concurrent.TimeUnit.SECONDS))
            .retryOnConnectionFailure(false).build();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private Lab(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** The running lab, or a failed test that says how to start it. */
    static synchronized Lab get() {
        if (instance != null) {
            return instance;
        }
        String d = System.getProperty("ferry.lab.dir");
        if (d == null || d.isBlank()) {
            d = System.getenv().getOrDefault("FERRY_LAB_DIR", "/tmp/ferry-lab");
        }
        Path dir = Path.of(d).toAbsolutePath();
        Exec status = Exec.run(Duration.ofSeconds(60), null, Map.of(), "bash", SCRIPT.toString(), "status", "--dir",
                dir.toString());
        if (status.exitCode() != 0) {
            fail("The OpenStack lab in " + dir + " is not up (the interop tests need it): run\n  bash scripts/openstack-lab.sh up --dir "
                    + dir + "\n(or set FERRY_LAB_DIR / -Dferry.lab.dir). Status:\n" + status.output());
        }
        Exec envOut = Exec.run(Duration.ofSeconds(30), null, Map.of(), "bash", SCRIPT.toString(), "env", "--dir",
                dir.toString());
        envOut.assertOk("openstack-lab.sh env");
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : envOut.output().split("\n")) {
            // export NAME='value' (single quotes, ' written as '\'')
            if (line.startsWith("export ") && line.contains("=")) {
                String name = line.substring(7, line.indexOf('='));
                String v = line.substring(line.indexOf('=') + 1);
                if (v.startsWith("'") && v.endsWith("'")) {
                    v = v.substring(1, v.length() - 1).replace("'\\''", "'");
                }
                env.put(name, v);
            }
        }
        for (String k : List.of("FERRY_LAB_KEYSTONE_URL", "FERRY_LAB_PASSWORD", "FERRY_LAB_GLANCE1_URL",
                "FERRY_LAB_GLANCE2_URL", "FERRY_LAB_FERRY_URL")) {
            if (!env.containsKey(k)) {
                fail("openstack-lab.sh env did not give " + k + ":\n" + envOut.output());
            }
        }
        instance = new Lab(dir, env);
        return instance;
    }

    String keystoneUrl() {
        return env.get("FERRY_LAB_KEYSTONE_URL");
    }

    String password() {
        return env.get("FERRY_LAB_PASSWORD");
    }

    String glanceOne() {
        return env.get("FERRY_LAB_GLANCE1_URL");
    }

    String glanceTwo() {
        return env.get("FERRY_LAB_GLANCE2_URL");
    }

    String ferryUrl() {
        return env.get("FERRY_LAB_FERRY_URL");
    }

    /**
     * Ferry as RegionThree: the lab's {@code ferry-conf} (keystone flavor, the lab's Keystone and port), with its data
     * paths moved into {@code work} so that every test class starts from an empty catalog.
     */
    /** Glance RegionOne's rbd store (openstack-lab.sh up --ceph-dir), or empty when the lab was started without. */
    java.util.Optional<String> glanceOneRbdStore() {
        return java.util.Optional.ofNullable(env.get("FERRY_LAB_GLANCE1_RBD_STORE"));
    }

    /** Glance RegionOne's swift store, when the lab was started with --swift-dir. */
    java.util.Optional<String> glanceOneSwiftStore() {
        return java.util.Optional.ofNullable(env.get("FERRY_LAB_GLANCE1_SWIFT_STORE"));
    }

    /** Glance RegionOne's s3 store on the Ceph lab's radosgw (openstack-lab.sh up --ceph-dir), or empty. */
    java.util.Optional<String> glanceOneS3Store() {
        return java.util.Optional.ofNullable(env.get("FERRY_LAB_GLANCE1_S3_STORE"));
    }

    /** The bucket of Glance RegionOne's s3 store (unique to the lab's last {@code up}). */
    String glanceOneS3Bucket() {
        String b = env.get("FERRY_LAB_GLANCE1_S3_BUCKET");
        if (b == null || b.isBlank()) {
            fail("openstack-lab.sh env names an s3 store of RegionOne but no FERRY_LAB_GLANCE1_S3_BUCKET");
        }
        return b;
    }

    TestFerry startFerry(Path work) throws IOException {
        return startFerry(work, sections -> { });
    }

    /** {@link #startFerry(Path)} with the configuration changed by {@code edit} before Ferry starts. */
    TestFerry startFerry(Path work, java.util.function.Consumer<Map<String, Map<String, String>>> edit)
            throws IOException {
        Files.createDirectories(work);
        Path conf = work.resolve("lab-ferry.conf");
        Exec.run(Duration.ofSeconds(30), null, Map.of(), "bash", SCRIPT.toString(), "ferry-conf", "--dir",
                dir.toString(), conf.toString()).assertOk("openstack-lab.sh ferry-conf");
        IniFile ini = IniFile.read(conf);
        String oldData = dir.resolve("ferry").toString() + "/";
        String newData = work.resolve("data").toString() + "/";
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        for (String line : Files.readAllLines(conf)) {
            String t = line.strip();
            if (t.startsWith("[") && t.endsWith("]")) {
                String name = t.substring(1, t.length() - 1);
                Map<String, String> s = TestFerry.section(sections, name);
                ini.section(name).forEach((k, v) -> s.put(k, v.replace(oldData, newData)));
            }
        }
        for (String sub : List.of("images/fast", "images/cheap", "staging", "tasks")) {
            Files.createDirectories(work.resolve("data").resolve(sub));
        }
        int code = httpCode(ferryUrl() + "/versions");
        if (code != 0) {
            fail("something already answers on " + ferryUrl() + " (HTTP " + code + "): the interop tests start their "
                    + "own Ferry there; stop the other one");
        }
        edit.accept(sections);
        return TestFerry.start(work.resolve("ferry"), sections);
    }

    private int httpCode(String url) {
        try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return r.code();
        } catch (IOException e) {
            return 0;
        }
    }

    // --- Keystone -----------------------------------------------------------------------------------------------

    /** A project-scoped token of a lab user (cached; the lab's tokens live an hour). */
    Token token(String user, String project) {
        return tokens.computeIfAbsent(user + "@" + project, k -> issue(user, project));
    }

    Token demo() {
        return token("demo", "demo");
    }

    Token altDemo() {
        return token("alt_demo", "alt_demo");
    }

    Token admin() {
        return token("admin", "admin");
    }

    private Token issue(String user, String project) {
        Map<String, Object> body = Map.of("auth", Map.of(
                "identity", Map.of("methods", List.of("password"), "password", Map.of("user", Map.of(
                        "name", user, "domain", Map.of("name", "Default"), "password", password()))),
                "scope", Map.of("project", Map.of("name", project, "domain", Map.of("name", "Default")))));
        Request req = new Request.Builder().url(keystoneUrl() + "/v3/auth/tokens")
                .post(RequestBody.create(json(body), JSON_TYPE)).build();
        try (Response r = http.newCall(req).execute()) {
            String text = r.body() == null ? "" : r.body().string();
            if (r.code() != 201) {
                fail("Keystone refused a token for " + user + "@" + project + ": " + r.code() + " " + text);
            }
            JsonNode t = JSON.readTree(text).path("token");
            return new Token(r.header("X-Subject-Token"), t.path("user").path("id").asText(),
                    t.path("project").path("id").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Token(String id, String userId, String projectId) {
    }

    /**
     * The images a test class made in Ferry or Glance, deleted as admin when it ends (best effort: the labs are
     * wiped by their next {@code up}). Deleted in the order made: an image whose location is another's data goes
     * after the one that owns the data.
     */
    static final class MadeImages {
        private final List<String[]> made = new java.util.ArrayList<>();   // {base url, image id}

        /** A raw/bare image named {@code name} in {@code base}, made by {@code token}'s user. */
        String raw(Lab lab, String base, Token token, String name) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            fields.put("name", name);
            fields.put("disk_format", "raw");
            fields.put("container_format", "bare");
            return create(lab, base, token, fields);
        }

        String create(Lab lab, String base, Token token, Map<String, Object> fields) {
            String id = lab.createImage(base, token, fields);
            made.add(new String[] {base, id});
            return id;
        }

        void deleteAll(Lab lab) {
            if (lab == null) {
                return;
            }
            for (String[] c : made) {
                try {
                    lab.call("DELETE", c[0] + "/v2/images/" + c[1], lab.admin(), null);
                } catch (RuntimeException e) {
                    // best effort: the labs are wiped by their next `up`
                }
            }
        }
    }

    // --- HTTP ---------------------------------------------------------------------------------------------------

    record Resp(int status, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        Resp expect(int code, String what) {
            if (status != code) {
                fail(what + ": expected HTTP " + code + ", got " + status + ": " + body);
            }
            return this;
        }
    }

    Resp call(String method, String url, Token token, RequestBody body, String... headers) {
        Request.Builder b = new Request.Builder().url(url);
        if (token != null) {
            b.header("X-Auth-Token", token.id());
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body == null && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            body = RequestBody.create(new byte[0], null);
        }
        b.method(method, body);
        try (Response r = http.newCall(b.build()).execute()) {
            return new Resp(r.code(), r.headers().toMultimap(), r.body() == null ? "" : r.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url, e);
        }
    }

    Resp get(String url, Token token) {
        return call("GET", url, token, null);
    }

    Resp postJson(String url, Token token, Object body) {
        return call("POST", url, token, RequestBody.create(json(body), JSON_TYPE));
    }

    Resp patch(String url, Token token, Object ops) {
        return call("PATCH", url, token, RequestBody.create(json(ops), PATCH_TYPE));
    }

    /** Creates an image and returns its id. */
    String createImage(String base, Token token, Map<String, Object> fields) {
        return postJson(base + "/v2/images", token, fields).expect(201, "create image at " + base).json()
                .path("id").asText();
    }

    JsonNode image(String base, Token token, String id) {
        return get(base + "/v2/images/" + id, token).expect(200, "show image " + id + " at " + base).json();
    }

    /** Polls the image until {@code done} holds; fails after {@code timeout} with the last view. */
    JsonNode waitImage(String base, Token token, String id, Duration timeout, String what, Predicate<JsonNode> done) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            return await().atMost(timeout).pollInterval(POLL).until(() -> {
                Resp r = get(base + "/v2/images/" + id, token);
                JsonNode view = r.status() == 200 ? r.json() : null;
                if (view != null) {
                    last.set(view);
                }
                return view;
            }, view -> view != null && done.test(view));
        } catch (ConditionTimeoutException e) {
            return fail("image " + id + " at " + base + " did not become " + what + " within " + timeout
                    + "; last view: " + last.get());
        }
    }

    /** The image's tasks (v2.12 {@code /v2/images/{id}/tasks}) once every one of them is finished. */
    JsonNode waitTasksFinished(String base, Token token, String id, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            return await().atMost(timeout).pollInterval(POLL).until(() -> {
                Resp r = get(base + "/v2/images/" + id + "/tasks", token);
                JsonNode tasks = r.status() == 200 ? r.json().path("tasks") : null;
                if (tasks != null) {
                    last.set(tasks);
                }
                return tasks;
            }, Lab::allFinished);
        } catch (ConditionTimeoutException e) {
            return fail("the tasks of image " + id + " at " + base + " did not finish within " + timeout + ": "
                    + last.get());
        }
    }

    private static boolean allFinished(JsonNode tasks) {
        if (tasks == null || tasks.size() == 0) {
            return false;
        }
        for (JsonNode t : tasks) {
            String s = t.path("status").asText();
            if (!s.equals("success") && !s.equals("failure")) {
                return false;
            }
        }
        return true;
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- data ---------------------------------------------------------------------------------------------------

    /** Reproducible pseudo-random image data: {@code size} bytes from {@code seed}, never held in memory whole. */
    record RandomData(long seed, long size) {
        private static final int CHUNK = 1 << 20;

        void forEachChunk(ChunkConsumer c) throws IOException {
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] buf = new byte[CHUNK];
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(CHUNK, left);
                for (int i = 0; i < n; i += 8) {
                    long v = rnd.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        buf[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                c.accept(buf, n);
                left -= n;
            }
        }

        /** {md5, sha512} of the data, hex. */
        Digests digests() throws IOException {
            MessageDigest md5 = digest("MD5");
            MessageDigest sha = digest("SHA-512");
            forEachChunk((b, n) -> {
                md5.update(b, 0, n);
                sha.update(b, 0, n);
            });
            return new Digests(size, HexFormat.of().formatHex(md5.digest()), HexFormat.of().formatHex(sha.digest()));
        }

        RequestBody body() {
            return new RequestBody() {
                @Override
                public MediaType contentType() {
                    return OCTETS;
                }

                @Override
                public long contentLength() {
                    return size;
                }

                @Override
                public void writeTo(BufferedSink sink) throws IOException {
                    forEachChunk((b, n) -> sink.write(b, 0, n));
                }
            };
        }
    }

    interface ChunkConsumer {
        void accept(byte[] buf, int n) throws IOException;
    }

    record Digests(long size, String md5, String sha512) {
    }

    /** Downloads {@code url} and hashes it on the fly: the status and the digests of what came. */
    Downloaded download(String url, Token token) throws IOException {
        Request req = new Request.Builder().url(url).header("X-Auth-Token", token.id()).build();
        try (Response r = http.newCall(req).execute()) {
            ResponseBody body = r.body();
            if (r.code() != 200 || body == null) {
                return new Downloaded(r.code(), null, body == null ? "" : body.string());
            }
            MessageDigest md5 = digest("MD5");
            MessageDigest sha = digest("SHA-512");
            long n = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = body.byteStream()) {
                for (int k; (k = in.read(buf)) > 0; ) {
                    md5.update(buf, 0, k);
                    sha.update(buf, 0, k);
                    n += k;
                }
            }
            return new Downloaded(200, new Digests(n, HexFormat.of().formatHex(md5.digest()),
                    HexFormat.of().formatHex(sha.digest())), "");
        }
    }

    record Downloaded(int status, Digests digests, String error) {
    }

    static MessageDigest digest(String algo) {
        try {
            return MessageDigest.getInstance(algo);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- processes ----------------------------------------------------------------------------------------------

    /** A finished child process: exit code and stdout+stderr. */
    record Exec(int exitCode, String output) {
        static Exec run(Duration timeout, Path cwd, Map<String, String> extraEnv, String... cmd) {
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                if (cwd != null) {
                    pb.directory(cwd.toFile());
                }
                pb.environment().putAll(extraEnv);
                Path out = Files.createTempFile("ferry-interop-exec", ".out");
                try {
                    pb.redirectOutput(out.toFile());
                    Process p = pb.start();
                    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        p.destroy();
                        if (!p.waitFor(10, TimeUnit.SECONDS)) {
                            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                        }
                        return new Exec(-1, Files.readString(out, StandardCharsets.UTF_8)
                                + "\n[killed after " + timeout + "]");
                    }
                    return new Exec(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
                } finally {
                    Files.deleteIfExists(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(String.join(" ", cmd), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        Exec assertOk(String what) {
            if (exitCode != 0) {
                fail(what + " failed (exit " + exitCode + "):\n" + output);
            }
            return this;
        }
    }
}
