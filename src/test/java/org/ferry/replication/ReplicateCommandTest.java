package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.app.FerryMain;
import org.ferry.app.ReplicateCommand;
import org.ferry.catalog.Database;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.replication.ReplicationKit.image;
import static org.ferry.replication.ReplicationKit.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry replicate --job NAME} run in-process through picocli, as {@code java -jar ferry.jar} would: the
 * progress bar (images and bytes) on the error stream, the summary on the output, and the exit status. Without
 * Keystone: regions from [glance_download_regions]; the target is another Ferry named by target_endpoint.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicateCommandTest {
    @TempDir
    static Path dir;
    static TestFerry one;
    static TestFerry target;
    static Path conf;
    static String good1;
    static String good2;
    static String iso;

    static final byte[] GOOD1 = random(700 << 10, 11);
    static final byte[] GOOD2 = random(300 << 10, 12);

    /** What one run of the command printed and returned. */
    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws IOException {
        one = TestFerry.start(dir.resolve("one"), TestFerry.anyPortConfig(dir.resolve("one")));
        Map<String, Map<String, String>> t = TestFerry.anyPortConfig(dir.resolve("target"));
        TestFerry.section(t, "glance_download_regions").put("RegionOne", one.url());
        // the target refuses iso images, so one image of the job fails
        TestFerry.section(t, "image_format").put("disk_formats", "raw, qcow2");
        target = TestFerry.start(dir.resolve("target"), t);

        good1 = image(one, "{\"name\":\"good-1\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\"}", GOOD1);
        good2 = image(one, "{\"name\":\"good-2\",\"disk_format\":\"qcow2\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\"}", GOOD2);
        iso = image(one, "{\"name\":\"installer\",\"disk_format\":\"iso\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\"}", random(10 << 10, 13));

        conf = dir.resolve("cli.conf");
        Files.writeString(conf, String.join("\n",
                "[DEFAULT]",
                "bind_port = 0",
                "[database]",
                "connection = jdbc:h2:file:" + dir.resolve("cli-db/ferry"),
                "[glance_download_regions]",
                "RegionOne = " + one.url(),
                "[replication]",
                "jobs = nightly",
                "[replication:nightly]",
                "source_regions = RegionOne",
                "target_endpoint = " + target.url(),
                "concurrency = 2",
                ""));
    }

    @AfterAll
    static void stop() {
        TestFerry.closeAll(target, one);
    }

    static Result replicate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new FerryMain());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void aRunWithAFailedImageShowsItsProgressAndExitsNonZero() {
        Result r = replicate("replicate", "--job", "nightly", "--config-file", conf.toString());
        System.out.println("replicate printed:\n" + r.out() + "and on the error stream:\n"
                + r.err().replace("\r", "\n[CR]"));

        assertEquals(ReplicateCommand.IMAGES_FAILED, r.exit(), r.out() + r.err());
        // the progress bar: task name, percentage, images done of all, bytes copied, outcome counts
        String last = lastFrame(r.err());
        assertTrue(last.startsWith("replicate nightly 100%"), r.err());
        assertTrue(last.contains("3/3 images"), last);
        assertTrue(last.contains("1.0/1.0 MiB | 2 copied, 0 updated, 1 failed"), last);
        assertTrue(r.err().chars().filter(c -> c == '\r').count() >= 2, "the bar is redrawn in place: " + r.err());
        // the summary names the failed image and why
        assertTrue(r.out().contains(": partial"), r.out());
        assertTrue(r.out().contains("3 seen, 2 copied, 0 updated, 0 skipped, 0 conflicts, 1 failed"), r.out());
        assertTrue(r.out().contains("bytes copied: " + (GOOD1.length + GOOD2.length)), r.out());
        assertTrue(r.out().contains("failed: " + iso + " (installer) from RegionOne: "), r.out());
        assertTrue(r.out().contains("answered 400: Provided object does not match schema 'image': 'iso' is not one of"),
                r.out());

        JsonNode copy = show(target, good1);
        assertEquals("active", copy.get("status").asText());
        assertEquals(md5(GOOD1), copy.get("checksum").asText());
        assertEquals("active", show(target, good2).get("status").asText());
        assertEquals(404, target.get("/v2/images/" + iso).status());
    }

    @Test
    @Order(2)
    void aRunWithNothingToDoExitsZero() {
        assertEquals(204, one.delete("/v2/images/" + iso).status());

        Result r = replicate("replicate", "--job", "nightly", "--config-file", conf.toString());

        assertEquals(ReplicateCommand.OK, r.exit(), r.out() + r.err());
        String last = lastFrame(r.err());
        assertTrue(last.contains("2/2 images"), last);
        assertTrue(last.endsWith("0.0/1.0 MiB | 0 copied, 0 updated, 0 failed"), last);
        assertTrue(r.out().contains(": succeeded"), r.out());
        assertTrue(r.out().contains("2 seen, 0 copied, 0 updated, 2 skipped"), r.out());
    }

    @Test
    @Order(3)
    void aJobAlreadyRunningElsewhereIsRefused() {
        String url = "jdbc:h2:file:" + dir.resolve("cli-db/ferry");
        try (Database db = Database.open(url, 2)) {
            Instant now = Instant.now();
            assertTrue(new ReplicationStore(db.jdbi()).acquire("nightly", "other-node:1", now,
                    now.plus(1, ChronoUnit.HOURS)));
        }
        try {
            Result r = replicate("replicate", "--job", "nightly", "--config-file", conf.toString());
            assertEquals(ReplicateCommand.ALREADY_RUNNING, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("job nightly is already running"), r.err());
            assertTrue(r.err().contains("other-node:1"), r.err());
        } finally {
            try (Database db = Database.open(url, 2)) {
                new ReplicationStore(db.jdbi()).release("nightly", "other-node:1");
            }
        }
    }

    @Test
    @Order(4)
    void badInvocationsExitWithTwo() throws IOException {
        Result unknown = replicate("replicate", "--job", "weekly", "--config-file", conf.toString());
        assertEquals(ReplicateCommand.BAD_SETUP, unknown.exit());
        assertTrue(unknown.err().contains("no job 'weekly' in [replication] jobs"), unknown.err());
        assertTrue(unknown.err().contains("configured: nightly"), unknown.err());

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, Files.readString(conf).replace("concurrency = 2", "concurrency = lots"));
        Result badValue = replicate("replicate", "--job", "nightly", "--config-file", bad.toString());
        assertEquals(ReplicateCommand.BAD_SETUP, badValue.exit());
        assertTrue(badValue.err().contains("[replication:nightly] concurrency = lots: not an integer"), badValue.err());

        Result missing = replicate("replicate", "--config-file", conf.toString());
        assertEquals(2, missing.exit(), "picocli's usage error");
        assertTrue(missing.err().contains("Missing required option: '--job=NAME'"), missing.err());
    }

    /** The last frame of the progress bar (frames are separated by carriage returns). */
    static String lastFrame(String err) {
        String[] frames = err.split("\r");
        for (int i = frames.length - 1; i >= 0; i--) {
            String f = frames[i].strip();
            if (f.startsWith("replicate ")) {
                return f;
            }
        }
        throw new AssertionError("no progress bar in: " + err);
    }
}
