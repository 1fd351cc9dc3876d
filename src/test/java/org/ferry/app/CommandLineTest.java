package org.ferry.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry --version}, {@code --help} and start-up failures, run as an operator runs them (own JVM). */
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void versionPrintsTheProjectVersion() throws Exception {
        FerryProcess.Result r = FerryProcess.run(dir, "--version");
        assertEquals(0, r.status(), r.stderr());
        assertNotEquals("unknown", FerryVersion.version());
        assertTrue(r.stdout().startsWith("Ferry " + FerryVersion.version() + "\n"), r.stdout());
        assertTrue(FerryVersion.version().matches("\\d+\\.\\d+\\.\\d+.*"), FerryVersion.version());
    }

    @Test
    void helpListsTheCommandsOptionsAndExitStatus() throws Exception {
        FerryProcess.Result r = FerryProcess.run(dir, "--help");
        assertEquals(0, r.status(), r.stderr());
        for (String expected : new String[] {"--config-file=FILE", "--version", "--help", "replicate", "SIGHUP",
                "SIGTERM", "graceful_shutdown_timeout", "Exit status"}) {
            assertTrue(r.stdout().contains(expected), "no " + expected + " in:\n" + r.stdout());
        }
        FerryProcess.Result sub = FerryProcess.run(dir, "replicate", "--version");
        assertEquals(0, sub.status(), sub.stderr());
        assertTrue(sub.stdout().startsWith("Ferry " + FerryVersion.version()), sub.stdout());
    }

    private void assertOneLineError(FerryProcess.Result r, int status, String expected) {
        assertEquals(status, r.status(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains(expected), r.stderr());
        assertFalse(r.stderr().contains("\tat ") || r.stdout().contains("\tat "), "a stack trace:\n" + r.stderr() + r.stdout());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    }

    @Test
    void anOutOfRangeBindPortIsNamedAndExitsWithStatusTwo() throws Exception {
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        c.get("DEFAULT").put("bind_port", "70000");
        Path conf = FerryProcess.write(dir.resolve("ferry.conf"), c);
        assertOneLineError(FerryProcess.run(dir, "--config-file", conf.toString()), 2,
                "[DEFAULT] bind_port = 70000: not a port number (0 to 65535)");

        c.get("DEFAULT").put("bind_port", "nine");
        FerryProcess.write(conf, c);
        assertOneLineError(FerryProcess.run(dir, "--config-file", conf.toString()), 2,
                "[DEFAULT] bind_port = nine: not an integer");
    }

    @Test
    void aPortInUseIsOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Map<String, Map<String, String>> c = FerryProcess.config(dir);
            c.get("DEFAULT").put("bind_port", String.valueOf(taken.getLocalPort()));
            Path conf = FerryProcess.write(dir.resolve("ferry.conf"), c);
            FerryProcess.Result r = FerryProcess.run(dir, "--config-file", conf.toString());
            assertOneLineError(r, 1, "ferry: cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " ([DEFAULT] bind_host, bind_port): Address already in use");
        }
    }

    @Test
    void aNamedPolicyFileThatDoesNotExistIsABadConfiguration() throws Exception {
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        c.computeIfAbsent("oslo_policy", k -> new java.util.LinkedHashMap<>()).put("policy_file", "missing.yaml");
        Path conf = FerryProcess.write(dir.resolve("etc/ferry.conf"), c);
        assertOneLineError(FerryProcess.run(dir, "--config-file", conf.toString()), 2,
                "[oslo_policy] policy_file = missing.yaml: no such file in [" + dir.resolve("etc"));
    }
}
