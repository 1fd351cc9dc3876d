package org.ferry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.RequestBody;
import org.ferry.interop.Lab.Token;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The everyday commands of OpenStackClient, python-glanceclient's shell and openstacksdk, run as the lab's demo and
 * admin users against Ferry (RegionThree, real Keystone tokens): the calls a new user makes first, each of which once
 * failed against Ferry (a non-admin's {@code --public} list answered 500, the tasks API answered 404).
 */
@Tag("interop")
class OpenStackClientInteropTest {
    static final Path OPENSTACK = Path.of("/usr/bin/openstack");
    static final Path GLANCE = Path.of("/usr/bin/glance");
    static final Duration CLI_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    static Path work;
    static Lab lab;
    static TestFerry ferry;
    static String base;
    static String publicId;      // admin's public image
    static String communityId;   // demo's community image
    static String privateId;     // demo's private image
    static String altPrivateId;  // alt_demo's private image
    static String taskId;        // admin's glance-direct import task

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.get();
        ferry = lab.startFerry(work.resolve("ferry"));
        base = ferry.url();
        Token admin = lab.admin();
        Token demo = lab.demo();
        publicId = lab.createImage(base, admin, Map.of("name", "cli-public", "disk_format", "raw",
                "container_format", "bare", "visibility", "public"));
        communityId = lab.createImage(base, demo, Map.of("name", "cli-community", "disk_format", "raw",
                "container_format", "bare", "visibility", "community"));
        privateId = lab.createImage(base, demo, Map.of("name", "cli-private", "disk_format", "raw",
                "container_format", "bare", "visibility", "private"));
        altPrivateId = lab.createImage(base, lab.altDemo(), Map.of("name", "cli-alt-private", "disk_format", "raw",
                "container_format", "bare", "visibility", "private"));
        byte[] data = new byte[64 * 1024 + 3];
        lab.call("PUT", base + "/v2/images/" + publicId + "/stage", admin,
                RequestBody.create(data, Lab.OCTETS)).expect(204, "stage");
        lab.postJson(base + "/v2/images/" + publicId + "/import", admin,
                Map.of("method", Map.of("name", "glance-direct"))).expect(202, "glance-direct import");
        JsonNode tasks = lab.waitTasksFinished(base, admin, publicId, Duration.ofMinutes(2));
        taskId = tasks.get(0).path("id").asText();
        assertEquals("success", tasks.get(0).path("status").asText(), tasks.toString());
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    /** The environment of a lab user's CLI session, pointed at Ferry's region. */
    static Map<String, String> cliEnv(String user) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OS_AUTH_URL", lab.keystoneUrl() + "/v3");
        env.put("OS_USERNAME", user);
        env.put("OS_PASSWORD", lab.password());
        env.put("OS_PROJECT_NAME", user);
        env.put("OS_USER_DOMAIN_NAME", "Default");
        env.put("OS_PROJECT_DOMAIN_NAME", "Default");
        env.put("OS_IDENTITY_API_VERSION", "3");
        env.put("OS_REGION_NAME", "RegionThree");
        env.put("OS_INTERFACE", "public");
        return env;
    }

    static Lab.Exec cli(String user, Path program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        Lab.Exec run = Lab.Exec.run(CLI_TIMEOUT, work, cliEnv(user), cmd.toArray(String[]::new));
        System.out.println("$ " + user + ": " + String.join(" ", cmd) + " -> " + run.exitCode() + "\n" + run.output());
        return run;
    }

    static List<String> ids(Lab.Exec run) throws IOException {
        assertEquals(0, run.exitCode(), run.output());
        // the CLI's JSON is the whole output; warnings of the Python libraries go to stderr before it
        String out = run.output();
        int start = out.startsWith("[") ? 0 : out.indexOf("\n[") + 1;
        JsonNode rows = Lab.JSON.readTree(out.substring(start));
        List<String> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.path("ID").asText()));
        return ids;
    }

    @Test
    void openstackImageListPublicAsDemo() throws IOException {
        List<String> ids = ids(cli("demo", OPENSTACK, "image", "list", "--public", "-f", "json"));
        assertTrue(ids.contains(publicId), ids.toString());
        assertFalse(ids.contains(communityId) || ids.contains(privateId) || ids.contains(altPrivateId), ids.toString());
    }

    @Test
    void openstackImageListCommunityAsDemo() throws IOException {
        List<String> ids = ids(cli("demo", OPENSTACK, "image", "list", "--community", "-f", "json"));
        assertEquals(List.of(communityId), ids);
    }

    @Test
    void openstackImageListAsDemoShowsOwnAndPublicNotAltDemosPrivate() throws IOException {
        List<String> ids = ids(cli("demo", OPENSTACK, "image", "list", "-f", "json"));
        assertTrue(ids.containsAll(List.of(publicId, privateId)), ids.toString());
        assertFalse(ids.contains(altPrivateId), ids.toString());
    }

    @Test
    void openstackImageListPublicAsAdmin() throws IOException {
        List<String> ids = ids(cli("admin", OPENSTACK, "image", "list", "--public", "-f", "json"));
        assertEquals(List.of(publicId), ids);
    }

    @Test
    void glanceTaskListAsAdmin() {
        Lab.Exec run = cli("admin", GLANCE, "task-list");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains(taskId), run.output());
        Lab.Exec show = cli("admin", GLANCE, "task-show", taskId);
        assertEquals(0, show.exitCode(), show.output());
        assertTrue(show.output().contains("success"), show.output());
    }

    @Test
    void glanceTaskListAsDemoIsForbidden() {
        Lab.Exec run = cli("demo", GLANCE, "task-list");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("403"), run.output());
    }

    @Test
    void openstacksdkTasksAsAdmin() {
        Lab.Exec run = Lab.Exec.run(CLI_TIMEOUT, work, cliEnv("admin"), Lab.PYTHON.toString(), "-c",
                "import openstack\n"
                        + "conn = openstack.connect()\n"
                        + "print('TASKS', ' '.join(t.id for t in conn.image.tasks()))\n"
                        + "print('PUBLIC', ' '.join(i.id for i in conn.image.images(visibility='public')))\n");
        System.out.println("openstacksdk as admin -> " + run.exitCode() + "\n" + run.output());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains(taskId), run.output());
        assertTrue(run.output().contains(publicId), run.output());
    }
}
