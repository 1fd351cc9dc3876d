package org.ferry.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real Ceph cluster the rbd tests run against: the lab of {@code scripts/ceph-lab.sh}, described by the
 * {@code FERRY_CEPH_*} variables its {@code env} command prints (scripts/test.sh starts the lab and exports them).
 * Unset, a Ceph test is skipped on a developer's machine but fails under CI (env {@code CI} set), so CI never passes
 * green without having run it.
 *
 * @param conf           ceph.conf of the cluster
 * @param keyring        client.glance's keyring (the user Ferry's rbd stores connect as)
 * @param user           {@code glance} (rbd_store_user)
 * @param pool           the image pool ({@code images})
 * @param pool2          a second image pool on the same cluster ({@code images2})
 * @param fsid           the cluster's fsid
 * @param adminKeyring   client.admin's keyring, for the tests' own checks and set-up
 * @param cinderKeyring  client.cinder's keyring (rbd on {@code volumes}, read-only on the image pools)
 * @param cinderPool     where Cinder clones images ({@code volumes})
 */
public record TestCeph(String conf, String keyring, String user, String pool, String pool2, String fsid,
                       String adminKeyring, String cinderKeyring, String cinderPool) {

    /** The lab from the environment; skips the calling test when it is unset, unless CI is set, where that fails. */
    public static TestCeph lab() {
        String conf = System.getenv("FERRY_CEPH_CONF");
        if (conf == null || conf.isBlank()) {
            if (System.getenv("CI") != null) {
                fail("FERRY_CEPH_CONF is not set but CI is: the Ceph tests must run in CI. "
                        + "Run the suite with scripts/test.sh, which starts the Ceph lab (scripts/ceph-lab.sh) and sets it.");
            }
            Assumptions.abort("FERRY_CEPH_CONF is not set: Ceph test skipped "
                    + "(scripts/test.sh sets it; or eval \"$(bash scripts/ceph-lab.sh env)\")");
        }
        return new TestCeph(conf, env("FERRY_CEPH_KEYRING"), env("FERRY_CEPH_USER"), env("FERRY_CEPH_POOL"),
                env("FERRY_CEPH_POOL2"), env("FERRY_CEPH_FSID"), env("FERRY_CEPH_ADMIN_KEYRING"),
                env("FERRY_CEPH_CINDER_KEYRING"), env("FERRY_CEPH_CINDER_POOL"));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            fail(name + " is not set while FERRY_CEPH_CONF is: export all of `bash scripts/ceph-lab.sh env`");
        }
        return v;
    }

    /**
     * Runs the {@code rbd} command line as client.admin and returns its standard output; fails the test when it
     * exits non-zero (use {@link #rbdExit} to look at a failure).
     */
    public String rbd(String... args) {
        Result r = rbdExit(args);
        if (r.exit() != 0) {
            fail("rbd " + String.join(" ", args) + " exited " + r.exit() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** Output and exit status of one command. */
    public record Result(int exit, String stdout, String stderr) {
    }

    /** Runs {@code rbd} as client.admin with the lab's config, without judging its exit status. */
    public Result rbdExit(String... args) {
        List<String> cmd = new ArrayList<>(List.of("rbd", "-c", conf, "--id", "admin",
                "--keyring", adminKeyring));
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    /** Runs the {@code rados} command line as client.admin; fails the test when it exits non-zero. */
    public String rados(String... args) {
        List<String> cmd = new ArrayList<>(List.of("rados", "-c", conf, "--id", "admin", "--keyring", adminKeyring));
        cmd.addAll(Arrays.asList(args));
        Result r = run(cmd);
        if (r.exit() != 0) {
            fail(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** Runs the {@code ceph} command line as client.admin; fails the test when it exits non-zero. */
    public String ceph(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ceph", "-c", conf, "--id", "admin", "--keyring", adminKeyring));
        cmd.addAll(Arrays.asList(args));
        Result r = run(cmd);
        if (r.exit() != 0) {
            fail(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /**
     * Sets how long Ceph keeps a vanished client's watch on an RBD image (the lab's ceph.conf says 5 s, Ceph's
     * default is 30 s), for watches made from now on.
     */
    public void osdClientWatchTimeout(int seconds) {
        ceph("tell", "osd.*", "config", "set", "osd_client_watch_timeout", Integer.toString(seconds));
    }

    /** Writes {@code data} into a new RBD image {@code poolAndName} with {@code rbd import} as client.admin. */
    public void rbdImport(byte[] data, String poolAndName) {
        try {
            Path f = Files.createTempFile("ferry-rbd-import", ".raw");
            try {
                Files.write(f, data);
                rbd("import", "--no-progress", f.toString(), poolAndName);
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot write a temporary file: " + e, e);
        }
    }

    /** Runs {@code rbd} as client.cinder (as Cinder does when it clones an image into a volume). */
    public Result rbdAsCinder(String... args) {
        List<String> cmd = new ArrayList<>(List.of("rbd", "-c", conf, "--id", "cinder",
                "--keyring", cinderKeyring));
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    /** The RBD image names in a pool. */
    public List<String> images(String inPool) {
        String out = rbd("ls", "-p", inPool).strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    private static Result run(List<String> cmd) {
        try {
            // stderr goes to a file, so a chatty command cannot block on a full pipe while stdout is read
            Path errFile = Files.createTempFile("ferry-rbd", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
                p.getOutputStream().close();
                var out = p.getInputStream().readAllBytes();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("timed out: " + cmd);
                }
                return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                        Files.readString(errFile, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(errFile);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
    }
}
