package org.ferry.app;

import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ferry's main class in its own JVM, as an operator runs it: signals, exit status and output are the real ones. */
final class FerryProcess implements AutoCloseable {
    private final Process process;
    private final Path output;
    final int port;

    private FerryProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    /** The test defaults (H2 and file stores under {@code dir}) on a free port. */
    static Map<String, Map<String, String>> config(Path dir) throws IOException {
        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        TestFerry.section(c, "DEFAULT").put("bind_port", String.valueOf(freePort()));
        return c;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path write(Path conf, Map<String, Map<String, String>> c) throws IOException {
        return TestFerry.writeConf(conf, c);
    }

    private static ProcessBuilder java(Path workDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FerryMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile());
    }

    /** Runs to the end (a command, or a start that fails): exit status, standard output and standard error. */
    record Result(int status, String stdout, String stderr) {
    }

    static Result run(Path workDir, String... args) throws Exception {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = java(workDir, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ferry " + String.join(" ", args) + " did not end: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Starts Ferry with {@code conf} and waits until it answers. */
    static FerryProcess start(Path workDir, Path conf, int port) throws Exception {
        Path out = workDir.resolve("process-" + System.nanoTime() + ".out");
        Process p = java(workDir, "--config-file", conf.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        FerryProcess ferry = new FerryProcess(p, out, port);
        ApiClient client = ferry.client();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            assertTrue(p.isAlive(), () -> "Ferry exited: " + ferry.output());
            return client.statusOf("/versions") == 200;
        });
        return ferry;
    }

    ApiClient client() {
        return ApiClient.at("http://127.0.0.1:" + port);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Process process() {
        return process;
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " failed");
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
