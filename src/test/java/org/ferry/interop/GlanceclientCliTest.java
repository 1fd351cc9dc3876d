package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real python-glanceclient CLI ({@code /usr/bin/glance}, Debian's python3-glanceclient) against Ferry with
 * Keystone authentication (a stub Keystone). The client is given Ferry's URL and a token, so it talks to Ferry
 * directly; it runs under {@code /usr/bin/python3}, whatever python3 is first on PATH.
 */
class GlanceclientCliTest {
    static final Path GLANCE = Path.of("/usr/bin/glance");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final String ADMIN = "cli-admin-token";
    static final String MEMBER = "cli-member-token";
    static final int SIZE = 100 * 1024 * 1024;
    static final Duration DATA_TIMEOUT = Duration.ofMinutes(5);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static TestFerry ferry;
    static String skipped;

    @BeforeAll
    static void start() {
        if (!Files.isExecutable(GLANCE) || !Files.isExecutable(PYTHON)) {
            String why = GLANCE + " (Debian package python3-glanceclient) or " + PYTHON + " is missing";
            if (System.getenv("CI") != null) {
                fail(why + " but CI is set: install it (scripts/test.sh does)");
            }
            // reported per test below, so that the skips show in the test counts
            skipped = why + ": glanceclient CLI tests skipped (scripts/test.sh installs it)";
            return;
        }
        keystone = new KeystoneStub()
                .token(ADMIN, "admin-user", "admin", List.of("admin", "member", "reader"))
                .token(MEMBER, "demo-user", "demo", List.of("member", "reader"));
        Map<String, Map<String, String>> c = TestFerry.defaults(dir.resolve("ferry"));
        TestFerry.keystone(c, keystone.url());
        ferry = TestFerry.start(dir.resolve("ferry"), c);
    }

    @BeforeEach
    void skipIfNoClient() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (keystone != null) {
            keystone.close();
        }
    }

    @Test
    void imageLifecycle() throws Exception {
        Path in = dir.resolve("in.bin");
        String[] digests = writeRandom(in, SIZE);
        String md5 = digests[0];
        String sha512 = digests[1];

        Result created = glance(MEMBER, DATA_TIMEOUT, "image-create", "--name", "cli-image", "--disk-format", "raw",
                "--container-format", "bare", "--file", in.toString());
        created.assertOk("image-create --file");
        String id = created.field("id").orElseThrow(() -> new AssertionError("no id in\n" + created.output));
        assertEquals(Optional.of("active"), created.field("status"), created.output);
        assertEquals(Optional.of(String.valueOf(SIZE)), created.field("size"), created.output);
        assertEquals(Optional.of(md5), created.field("checksum"), created.output);
        assertEquals(Optional.of("sha512"), created.field("os_hash_algo"), created.output);
        assertEquals(Optional.of(sha512), created.compact("os_hash_value"), created.output);
        assertEquals(Optional.of("demo"), created.field("owner"), created.output);
        assertEquals(Optional.of("fast"), created.field("stores"), created.output);

        // the client verifies the checksum/hash itself while downloading; compare the bytes too
        Path out = dir.resolve("out.bin");
        glance(MEMBER, DATA_TIMEOUT, "image-download", "--file", out.toString(), id).assertOk("image-download");
        assertEquals(SIZE, Files.size(out));
        assertEquals(md5, md5(out), "downloaded bytes differ from the uploaded ones");
        Files.delete(out);

        Result updated = glance(MEMBER, CALL_TIMEOUT, "image-update", "--property", "cli_key=cli value", id);
        updated.assertOk("image-update --property");
        assertEquals(Optional.of("cli value"), updated.field("cli_key"), updated.output);
        Result shown = glance(MEMBER, CALL_TIMEOUT, "image-show", id);
        shown.assertOk("image-show");
        assertEquals(Optional.of("cli value"), shown.field("cli_key"), shown.output);

        glance(MEMBER, CALL_TIMEOUT, "image-tag-update", id, "cli-tag").assertOk("image-tag-update");
        shown = glance(MEMBER, CALL_TIMEOUT, "image-show", id);
        shown.assertOk("image-show");
        assertTrue(shown.field("tags").orElse("").contains("cli-tag"), shown.output);

        Result listed = glance(MEMBER, CALL_TIMEOUT, "image-list");
        listed.assertOk("image-list");
        assertTrue(listed.output.contains(id), listed.output);

        glance(MEMBER, CALL_TIMEOUT, "image-delete", id).assertOk("image-delete");
        Result gone = glance(MEMBER, CALL_TIMEOUT, "image-show", id);
        assertNotEquals(0, gone.exitCode, "image-show of a deleted image succeeded:\n" + gone.output);
        assertTrue(gone.output.contains("No image with a name or ID of '" + id + "' exists")
                || gone.output.contains("404"), gone.output);
    }

    @Test
    void storesInfo() throws Exception {
        for (String token : List.of(ADMIN, MEMBER)) {
            Result r = glance(token, CALL_TIMEOUT, "stores-info");
            r.assertOk("stores-info");
            JsonNode stores = r.json("stores");
            assertEquals(List.of("fast", "cheap"), ids(stores), r.output);
            assertEquals("true", stores.get(0).path("default").asText(), r.output);
            assertTrue(stores.get(0).path("type").isMissingNode(), "details without --detail:\n" + r.output);
        }

        Result detail = glance(ADMIN, CALL_TIMEOUT, "stores-info", "--detail");
        detail.assertOk("stores-info --detail (admin)");
        JsonNode stores = detail.json("stores");
        assertEquals(List.of("fast", "cheap"), ids(stores), detail.output);
        for (JsonNode s : stores) {
            assertEquals("file", s.path("type").asText(), detail.output);
            assertTrue(s.path("properties").has("data_dir"), detail.output);
        }

        Result denied = glance(MEMBER, CALL_TIMEOUT, "stores-info", "--detail");
        assertNotEquals(0, denied.exitCode, "stores-info --detail as a member succeeded:\n" + denied.output);
        assertTrue(denied.output.contains("403"), denied.output);
    }

    /**
     * glanceclient's task calls as an admin: task-list (GET /v2/tasks with limit=20 and the task schema for its
     * model), task-show, and task-create of the legacy import type; a member gets 403 from each.
     */
    @Test
    void tasksAsAdmin() throws Exception {
        // a task to list: an import from a URI that the default [import_filtering_opts] refuse (port 9), so it is
        // refused at the API; then one that is accepted and fails in the task (nothing listens on 127.0.0.1:80)
        Result refused = glance(ADMIN, CALL_TIMEOUT, "task-create", "--type", "import", "--input",
                "{\"import_from\": \"http://127.0.0.1:9/x.img\", \"import_from_format\": \"raw\", "
                        + "\"image_properties\": {\"name\": \"cli-task\"}}");
        assertNotEquals(0, refused.exitCode, refused.output);
        assertTrue(refused.output.contains("400") && refused.output.contains("does not pass filtering"),
                refused.output);

        Result created = glance(ADMIN, CALL_TIMEOUT, "task-create", "--type", "import", "--input",
                "{\"import_from\": \"http://127.0.0.1/x.img\", \"import_from_format\": \"raw\", "
                        + "\"image_properties\": {\"name\": \"cli-task\", \"disk_format\": \"raw\", "
                        + "\"container_format\": \"bare\"}}");
        created.assertOk("task-create");
        String id = created.field("id").orElseThrow(() -> new AssertionError("no id in\n" + created.output));
        assertEquals(Optional.of("import"), created.field("type"), created.output);

        // the task fails in its download: the failure names the URL and the cause, and the image it made is gone
        String[] message = new String[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    Result r = glance(ADMIN, CALL_TIMEOUT, "task-show", id);
                    r.assertOk("task-show");
                    message[0] = r.field("message").orElse("");
                    return r.field("status").equals(Optional.of("failure"));
                });
        assertTrue(message[0].contains("http://127.0.0.1/x.img") && message[0].contains("ConnectException"),
                message[0]);
        Result shown = glance(ADMIN, CALL_TIMEOUT, "task-show", id);
        shown.assertOk("task-show");
        assertEquals(Optional.of(id), shown.field("id"), shown.output);
        assertEquals(Optional.of("import"), shown.field("type"), shown.output);
        assertEquals(Optional.of("admin"), shown.field("owner"), shown.output);
        assertEquals(Optional.of("failure"), shown.field("status"), shown.output);
        String image = shown.field("image_id").orElseThrow(() -> new AssertionError("no image_id in\n" + shown.output));
        Result gone = glance(ADMIN, CALL_TIMEOUT, "image-show", image);
        assertNotEquals(0, gone.exitCode, "the image of a failed import task is left:\n" + gone.output);

        Result listed = glance(ADMIN, CALL_TIMEOUT, "task-list");
        listed.assertOk("task-list");
        assertTrue(listed.output.contains(id), listed.output);
        // one task per page: the client follows the "next" links
        Result filtered = glance(ADMIN, CALL_TIMEOUT, "task-list", "--type", "import", "--status", "failure",
                "--sort-key", "status", "--sort-dir", "asc", "--page-size", "1");
        filtered.assertOk("task-list --type import --status failure");
        assertTrue(filtered.output.contains(id), filtered.output);
        Result none = glance(ADMIN, CALL_TIMEOUT, "task-list", "--status", "success");
        none.assertOk("task-list --status success");
        assertTrue(!none.output.contains(id), none.output);

        for (String[] call : List.of(new String[] {"task-list"}, new String[] {"task-show", id})) {
            Result denied = glance(MEMBER, CALL_TIMEOUT, call);
            assertNotEquals(0, denied.exitCode, "glance " + call[0] + " as a member succeeded:\n" + denied.output);
            assertTrue(denied.output.contains("403"), denied.output);
        }
    }

    /**
     * openstacksdk's image proxy (what {@code conn.image.tasks()} and {@code get_task} call), with a fixed endpoint
     * and the admin token: the list follows the "next" links, each entry and the shown task parse into its Task.
     */
    @Test
    void openstacksdkTasksAsAdmin() throws Exception {
        String script = String.join("\n",
                "import sys, openstack",
                "from keystoneauth1 import session, token_endpoint",
                "sess = session.Session(auth=token_endpoint.Token(sys.argv[1], sys.argv[2]))",
                "conn = openstack.connection.Connection(session=sess)",
                "tasks = list(conn.image.tasks(limit=1))",
                "print('LISTED', len(tasks))",
                "for t in tasks:",
                "    s = conn.image.get_task(t.id)",
                "    print('TASK', s.id, s.type, s.status, s.owner_id)",
                "try:",
                "    list(conn.image.tasks(status='bogus'))",
                "except openstack.exceptions.BadRequestException as e:",
                "    print('BAD', e)");
        Path py = dir.resolve("sdk_tasks.py");
        Files.writeString(py, script);
        // a task to list and show
        glance(ADMIN, CALL_TIMEOUT, "task-create", "--type", "import", "--input",
                "{\"import_from\": \"http://127.0.0.1/sdk.img\", \"import_from_format\": \"raw\", "
                        + "\"image_properties\": {}}").assertOk("task-create");
        ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), py.toString(), ferry.url() + "/v2", ADMIN)
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("OS_") || k.startsWith("PYTHON"));
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        Matcher listed = Pattern.compile("LISTED (\\d+)").matcher(out);
        assertTrue(listed.find() && Integer.parseInt(listed.group(1)) >= 1, out);
        assertTrue(out.contains("TASK ") && out.contains(" import "), out);
        assertTrue(out.contains("BAD") && out.contains("Invalid status value: bogus"), out);
    }

    static List<String> ids(JsonNode stores) {
        List<String> ids = new ArrayList<>();
        stores.forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    /** One CLI call with Ferry's URL and a token; stdin is /dev/null, stdout and stderr are captured together. */
    static Result glance(String token, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), GLANCE.toString(),
                "--os-image-url", ferry.url(), "--os-auth-token", token, "--os-image-api-version", "2"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Path log = Files.createTempFile(dir, "glance-", ".out");
        pb.redirectOutput(log.toFile());
        // only what this test passes on the command line: no OS_* credentials or Python paths from the caller
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_") || k.startsWith("PYTHON"));
        env.put("LC_ALL", "C.UTF-8");
        env.put("HOME", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("glance " + String.join(" ", args) + " did not finish within " + timeout + ":\n" + Files.readString(log));
        }
        Result r = new Result(String.join(" ", args), p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        Files.delete(log);
        // the test's output file (surefire) keeps the transcript for failures
        System.out.printf("$ glance %s   [%s token] -> exit %d%n%s%n", r.command, token.equals(ADMIN) ? "admin"
                : "member", r.exitCode, r.output);
        return r;
    }

    record Result(String command, int exitCode, String output) {
        private static final Pattern ROW = Pattern.compile("^\\|\\s*(\\S*)\\s*\\|\\s?(.*?)\\s*\\|$", Pattern.MULTILINE);

        void assertOk(String what) {
            assertEquals(0, exitCode, "glance " + command + " (" + what + ") failed:\n" + output);
        }

        /**
         * A property from the client's "| Property | Value |" table. The client wraps long values over several rows
         * (at spaces, which it drops, or inside long words); their pieces are joined with a space.
         */
        Optional<String> field(String name) {
            Matcher m = ROW.matcher(output);
            StringBuilder value = null;
            while (m.find()) {
                if (value == null && m.group(1).equals(name)) {
                    value = new StringBuilder(m.group(2));
                } else if (value != null && m.group(1).isEmpty()) {
                    value.append(' ').append(m.group(2));
                } else if (value != null) {
                    break;
                }
            }
            return Optional.ofNullable(value).map(StringBuilder::toString);
        }

        /** A wrapped value without any whitespace: for hashes and JSON whose strings have no spaces that matter. */
        Optional<String> compact(String name) {
            return field(name).map(v -> v.replaceAll("\\s+", ""));
        }

        JsonNode json(String name) {
            String v = compact(name).orElseThrow(() -> new AssertionError("no " + name + " in\n" + output));
            try {
                return new ObjectMapper().readTree(v);
            } catch (IOException e) {
                throw new AssertionError(name + " is not JSON in\n" + output, e);
            }
        }
    }

    /** Writes {@code size} random bytes; returns their MD5 and SHA-512, hex. */
    static String[] writeRandom(Path file, int size) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        Random random = new Random();
        byte[] buf = new byte[1 << 20];
        try (OutputStream os = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                int n = Math.min(left, buf.length);
                os.write(buf, 0, n);
                md5.update(buf, 0, n);
                sha512.update(buf, 0, n);
            }
        }
        return new String[] {HexFormat.of().formatHex(md5.digest()), HexFormat.of().formatHex(sha512.digest())};
    }

    static String md5(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] buf = new byte[1 << 20];
        try (InputStream is = Files.newInputStream(file)) {
            for (int n; (n = is.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
