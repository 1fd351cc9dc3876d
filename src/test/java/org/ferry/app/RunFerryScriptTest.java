package org.ferry.app;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/run-ferry.sh}, run for real on a small jar: the options file's flags (comments skipped,
 * {@code ${FERRY_CONF}} expanded, JAVA_OPTS after them), MALLOC_ARENA_MAX, and the class-data archive: written when a
 * service run stops, used by the next start (checked with {@code -Xshare:on}, which refuses to start without it),
 * replaced when the jar is newer, never written by a run with other arguments.
 */
class RunFerryScriptTest {
    private static final Path SCRIPT = Path.of("scripts/run-ferry.sh").toAbsolutePath();

    @TempDir
    Path dir;
    private Path jar;
    private Path archive;
    private Path options;

    @BeforeEach
    void probeJar() throws IOException {
        jar = dir.resolve("probe.jar");
        archive = dir.resolve("probe.jsa");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new JarEntry(entry));
            try (var in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(out);
            }
            out.closeEntry();
        }
        Path conf = Files.createDirectories(dir.resolve("conf"));
        options = conf.resolve("jvm.options");
        Files.writeString(options, """
                # a comment line, then a flag that names this directory
                -Dprobe.conf=${FERRY_CONF}/x.json

                  -XX:+UseSerialGC \s
                """);
    }

    private record Run(Process process, List<String> lines) {
    }

    /** Starts the launcher and reads its output up to the probe's "ready" line. */
    private Run start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().put("FERRY_JAR", jar.toString());
        pb.environment().put("FERRY_JVM_OPTIONS", options.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            lines.add(line);
            if (line.equals("ready")) {
                break;
            }
        }
        assertTrue(lines.contains("ready"), "the probe did not start: " + lines);
        return new Run(p, lines);
    }

    private static String value(Run run, String key) {
        return run.lines().stream().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow()
                .substring(key.length() + 1);
    }

    private static int stop(Run run) throws InterruptedException {
        run.process().toHandle().descendants().forEach(ProcessHandle::destroy); // none when the launcher exec'd java
        run.process().destroy(); // SIGTERM to the launcher, which passes it on
        assertTrue(run.process().waitFor(60, TimeUnit.SECONDS), "the launcher did not stop");
        return run.process().exitValue();
    }

    private static void drain(Process p) throws IOException {
        try (OutputStream ignored = p.getOutputStream()) {
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
        }
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void passesTheOptionsFileThenJavaOptsAndLimitsMallocArenas() throws Exception {
        Run run = start(Map.of("JAVA_OPTS", "-Dprobe.extra=yes -Xmx64m", "FERRY_CDS", "0"), "--exit");
        assertEquals(0, run.process().waitFor());
        assertEquals(dir.resolve("conf").toRealPath() + "/x.json", value(run, "conf"));
        assertEquals("yes", value(run, "extra"));
        assertEquals("2", value(run, "arenas"));
        String jvm = value(run, "jvm");
        assertTrue(jvm.indexOf("-XX:+UseSerialGC") < jvm.indexOf("-Xmx64m"), jvm);
        assertFalse(jvm.contains("SharedArchiveFile") || jvm.contains("ArchiveClassesAtExit"), jvm);
        assertFalse(Files.exists(archive));
    }

    @Test
    void aServiceRunWritesTheArchiveWhenItStopsAndTheNextStartMapsIt() throws Exception {
        Run first = start(Map.of(), "--config-file", "ferry.conf");
        assertTrue(value(first, "jvm").contains("-XX:ArchiveClassesAtExit="), value(first, "jvm"));
        stop(first);
        assertTrue(Files.size(archive) > 0, "no archive written");
        assertEquals(List.of(), leftovers());

        // -Xshare:on makes the JVM refuse to start when it cannot map the archive
        Run second = start(Map.of("JAVA_OPTS", "-Xshare:on"), "--config-file", "ferry.conf", "--exit");
        assertEquals(0, second.process().waitFor(), String.join("\n", second.lines()));
        assertTrue(value(second, "jvm").contains("-XX:SharedArchiveFile=" + archive), value(second, "jvm"));
        drain(second.process());
    }

    @Test
    void aJarNewerThanTheArchiveGetsANewOne() throws Exception {
        stop(start(Map.of(), "--config-file", "ferry.conf"));
        FileTime built = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(built.toMillis() - 5000)); // as after a rebuild

        Run run = start(Map.of());
        assertTrue(value(run, "jvm").contains("-XX:ArchiveClassesAtExit="), value(run, "jvm"));
        assertFalse(Files.exists(archive), "the stale archive is removed before the new one is written");
        stop(run);
        assertTrue(Files.exists(archive));
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0);
    }

    @Test
    void theShippedOptionsStartTheJvmAndLeaveStdoutToFerry() throws Exception {
        Path shipped = Path.of("conf/jvm.options").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--exit").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().put("FERRY_JAR", jar.toString());
        pb.environment().put("FERRY_JVM_OPTIONS", shipped.toString());
        pb.environment().put("FERRY_CDS", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("ready"), out);
        assertEquals("conf=null", lines.get(0), "the probe's own output comes first: " + out);
        String jvm = lines.stream().filter(l -> l.startsWith("jvm=")).findFirst().orElseThrow();
        assertTrue(jvm.contains("-XX:CompilerDirectivesFile=" + shipped.getParent().toRealPath()
                + "/compiler-directives.json"), jvm);
    }

    @Test
    void otherArgumentsWriteNoArchive() throws Exception {
        Run run = start(Map.of(), "replicate", "--job", "x", "--exit");
        assertEquals(0, run.process().waitFor());
        assertFalse(value(run, "jvm").contains("ArchiveClassesAtExit"), value(run, "jvm"));
        assertFalse(Files.exists(archive));
    }
}
