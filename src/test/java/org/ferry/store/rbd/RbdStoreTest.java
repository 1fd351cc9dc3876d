package org.ferry.store.rbd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ferry.store.RbdStoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreInUseException;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.testing.StoreIo;
import org.ferry.testing.TestCeph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.ferry.data.ImageFixtures.random;
import static org.ferry.testing.StoreIo.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rbd store against the real Ceph lab: what lands in the pool, what is read back, and what is left after failures. */
class RbdStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;

    private TestCeph ceph;
    private RbdStore store;
    private final List<String> created = new ArrayList<>();

    @BeforeEach
    void connect() {
        ceph = TestCeph.lab();
        store = store(ceph.pool(), false, "ceph");
    }

    private RbdStore store(String pool, boolean thin, String id) {
        return new RbdStore(new StoreSettings(id, Optional.empty(), 0),
                new RbdStoreOptions(pool, ceph.user(), ceph.conf(), 1, 20, thin));
    }

    @AfterEach
    void removeLeftovers() {
        for (String pool : List.of(ceph.pool(), ceph.pool2(), ceph.cinderPool())) {
            for (String name : ceph.images(pool)) {
                if (created.contains(name) || created.contains(name.replace(RbdStore.CREATING_SUFFIX, ""))) {
                    ceph.rbdExit("snap", "unprotect", pool + "/" + name + "@snap");
                    ceph.rbdExit("snap", "purge", pool + "/" + name);
                    ceph.rbdExit("rm", pool + "/" + name);
                }
            }
        }
        store.close();
    }

    private String newId() {
        String id = UUID.randomUUID().toString();
        created.add(id);
        return id;
    }




    private JsonNode info(String spec) throws IOException {
        return JSON.readTree(ceph.rbd("info", "--format", "json", spec));
    }

    @Test
    void writesTheImageWithAProtectedSnapshotAtGlancesLocation() throws Exception {
        String id = newId();
        byte[] data = random(5 * MIB + 12345, 1);
        String url;
        try (StoreWrite w = store.beginWrite(id, data.length)) {
            StoreIo.writeAll(w, data, 100_003);
            url = w.commit();
        }
        assertEquals("rbd://" + ceph.fsid() + "/" + ceph.pool() + "/" + id + "/snap", url);
        assertTrue(store.owns(url));
        JsonNode info = info(ceph.pool() + "/" + id);
        assertEquals(data.length, info.get("size").asLong());
        assertEquals(20, info.get("order").asInt(), "objects of rbd_store_chunk_size (1 MiB)");
        JsonNode snaps = JSON.readTree(ceph.rbd("snap", "ls", "--format", "json", ceph.pool() + "/" + id));
        assertEquals(1, snaps.size());
        assertEquals("snap", snaps.get(0).get("name").asText());
        assertEquals("true", JSON.readTree(ceph.rbd("info", "--format", "json", ceph.pool() + "/" + id + "@snap"))
                .get("protected").asText());
        assertFalse(ceph.rbd("image-meta", "list", ceph.pool() + "/" + id).contains(RbdStore.WRITING),
                "the in-progress mark is gone after the commit");
        assertArrayEquals(data, read(store, url, 0));
        assertArrayEquals(Arrays.copyOfRange(data, 3 * MIB + 7, data.length), read(store, url, 3 * MIB + 7),
                "a read from an offset (Range) skips without reading");
        try (Store.StoreData d = store.open(url)) {
            assertEquals(data.length, d.size());
        }
    }

    @Test
    void anImageOfUnknownSizeGrowsAndIsCutToItsSize() throws Exception {
        String id = newId();
        byte[] data = random(7 * MIB + 1, 2);
        String url;
        try (StoreWrite w = store.beginWrite(id, -1)) {
            StoreIo.writeAll(w, data, 100_003);
            url = w.commit();
        }
        assertEquals(data.length, info(ceph.pool() + "/" + id).get("size").asLong());
        assertArrayEquals(data, read(store, url, 0));
    }

    @Test
    void anEmptyImage() throws Exception {
        String id = newId();
        String url;
        try (StoreWrite w = store.beginWrite(id, 0)) {
            url = w.commit();
        }
        assertEquals(0, info(ceph.pool() + "/" + id).get("size").asLong());
        assertArrayEquals(new byte[0], read(store, url, 0));
    }

    @Test
    void thinProvisioningSkipsChunksOfZeros() throws Exception {
        RbdStore thin = store(ceph.pool(), true, "thin");
        String thinId = newId();
        String thickId = newId();
        byte[] data = new byte[8 * MIB];
        System.arraycopy(random(MIB, 3), 0, data, 2 * MIB, MIB);
        String thinUrl;
        try (StoreWrite w = thin.beginWrite(thinId, -1)) {
            StoreIo.writeAll(w, data, 100_003);
            thinUrl = w.commit();
        }
        try (StoreWrite w = store.beginWrite(thickId, -1)) {
            StoreIo.writeAll(w, data, 100_003);
            w.commit();
        }
        assertArrayEquals(data, read(thin, thinUrl, 0), "skipped chunks read back as zeros");
        assertEquals(data.length, info(ceph.pool() + "/" + thinId).get("size").asLong());
        long thinUsed = used(thinId);
        long thickUsed = used(thickId);
        assertTrue(thinUsed <= MIB, "thin: one chunk of data is allocated, not " + thinUsed);
        assertTrue(thickUsed >= 8L * MIB, "thick: every chunk is written, " + thickUsed);
        thin.close();
    }

    private long used(String id) throws IOException {
        // the data belongs to the snapshot once it is taken: count the image with its snapshots
        long used = 0;
        for (JsonNode i : JSON.readTree(ceph.rbd("du", "--format", "json", ceph.pool() + "/" + id)).get("images")) {
            used += i.get("used_size").asLong();
        }
        return used;
    }

    @Test
    void anAbortedWriteLeavesNoImage() throws Exception {
        String id = newId();
        try (StoreWrite w = store.beginWrite(id, 4 * MIB)) {
            StoreIo.writeAll(w, random(3 * MIB, 4), 100_003);
            assertTrue(ceph.images(ceph.pool()).contains(id));
            w.abort();
        }
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    /** Runs {@link RbdCrashWriter} and kills it with SIGKILL once it has written {@code mib} MiB of image {@code id}. */
    private void crashWhileWriting(String id, int mib, String... jvmFlags) throws Exception {
        crashWriter(id, mib, "written", 0, jvmFlags);
    }

    private void crashWriter(String id, int mib, String says, long killAfterMillis, String... jvmFlags)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RbdCrashWriter.class.getName(), ceph.conf(),
                ceph.user(), ceph.pool(), id, Integer.toString(mib)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals(says, line, "the writer failed before it was killed");
            Thread.sleep(killAfterMillis);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aCrashedWriteIsFoundAndPurgedButOtherImagesAreLeftAlone() throws Exception {
        String crashed = newId();
        String foreign = newId();
        String done = newId();
        crashWhileWriting(crashed, 3);
        ceph.rbd("create", "--size", "1M", ceph.pool() + "/" + foreign); // another service's image in the pool
        try (StoreWrite w = store.beginWrite(done, MIB)) {
            StoreIo.writeAll(w, random(MIB, 6), 100_003);
            w.commit();
        }
        List<String> unfinished = store.unfinishedWrites();
        assertTrue(unfinished.contains(crashed), unfinished.toString());
        assertFalse(unfinished.contains(foreign));
        assertFalse(unfinished.contains(done));
        store.purgePartials(foreign);
        store.purgePartials(done);
        // the dead writer's watch holds the image until osd_client_watch_timeout (5 s in the lab) has passed
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreException(
                StoreInUseException.class).untilAsserted(() -> store.purgePartials(crashed));
        List<String> left = ceph.images(ceph.pool());
        assertFalse(left.contains(crashed));
        assertTrue(left.contains(foreign) && left.contains(done), left.toString());
    }

    /** The JVM flags Ferry ships in conf/jvm.options (what scripts/run-ferry.sh passes). */
    private static String[] shippedJvmFlags() throws IOException {
        Path conf = Path.of("conf").toAbsolutePath();
        return java.nio.file.Files.readAllLines(conf.resolve("jvm.options")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> l.replace("${FERRY_CONF}", conf.toString()))
                .toArray(String[]::new);
    }

    @Test
    void aJvmWithFerrysShippedFlagsConnectsAndWrites() throws Exception {
        String id = newId();
        // -Xss512k: librados builds its option table deep on the connecting thread's stack; this once killed the JVM
        crashWhileWriting(id, 1, shippedJvmFlags());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreException(
                StoreInUseException.class).untilAsserted(() -> store.purgePartials(id));
        assertFalse(ceph.images(ceph.pool()).contains(id));
    }

    @Test
    void aLeftoverOfACrashedWriteIsReplacedByTheNextWriteButALiveWriteIsNot() throws Exception {
        String id = newId();
        StoreWrite live = store.beginWrite(id, -1);
        StoreIo.writeAll(live, random(MIB, 7), 100_003);
        RbdStore other = store(ceph.pool(), false, "ceph");
        IOException busy = assertThrows(IOException.class, () -> other.beginWrite(id, MIB));
        assertTrue(busy.getMessage().contains("still open by its writer"), busy.getMessage());
        live.abort();

        crashWhileWriting(id, 2);
        byte[] data = random(2 * MIB, 8);
        String url = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .ignoreException(StoreInUseException.class).until(() -> {
                    try (StoreWrite w = other.beginWrite(id, data.length)) {
                        StoreIo.writeAll(w, data, 100_003);
                        return w.commit();
                    }
                }, u -> true);
        assertArrayEquals(data, read(store, url, 0));
        other.close();
    }

    @Test
    void whatACrashLeavesWhileMakingAnImageIsFoundAndReplaced() throws Exception {
        // the states a crash inside beginWrite can leave: made under the temporary name, with and without the mark
        String unmarked = newId();
        String marked = newId();
        ceph.rbd("create", "--size", "1M", ceph.pool() + "/" + RbdStore.creatingName(unmarked));
        ceph.rbd("create", "--size", "1M", ceph.pool() + "/" + RbdStore.creatingName(marked));
        ceph.rbd("image-meta", "set", ceph.pool() + "/" + RbdStore.creatingName(marked), RbdStore.WRITING, "test");
        List<String> unfinished = store.unfinishedWrites();
        assertTrue(unfinished.contains(unmarked) && unfinished.contains(marked), unfinished.toString());
        byte[] data = random(MIB, 12);
        assertArrayEquals(data, read(store, write(store, unmarked, data), 0), "the next write replaces the leftover");
        store.purgePartials(marked);
        assertEquals(List.of(unmarked), ceph.images(ceph.pool()).stream()
                .filter(n -> n.startsWith(unmarked) || n.startsWith(marked)).toList());

        // a crash inside rbd_remove (or rbd_create4) leaves a name the pool lists without a header to open
        String headerless = newId();
        ceph.rbd("create", "--size", "1M", ceph.pool() + "/" + headerless);
        String internalId = ceph.rados("-p", ceph.pool(), "get", "rbd_id." + headerless, "-").substring(4).strip();
        ceph.rados("-p", ceph.pool(), "rm", "rbd_header." + internalId);
        assertTrue(ceph.images(ceph.pool()).contains(headerless));
        assertTrue(store.unfinishedWrites().contains(headerless));
        store.purgePartials(headerless);
        assertFalse(ceph.images(ceph.pool()).contains(headerless));

        // and whatever a writer killed at a random point of making and aborting an image leaves is known as unfinished
        // (not purged here: Ceph sometimes keeps a watch of a client killed at the wrong moment far beyond
        // osd_client_watch_timeout, until the OSD drops its cached object context; removeLeftovers tries)
        Random when = new Random(13);
        for (int kill = 0; kill < 4; kill++) {
            String id = newId();
            crashWriter(id, -1, "looping", when.nextInt(400));
            List<String> left = ceph.images(ceph.pool()).stream().filter(n -> n.startsWith(id)).toList();
            assertTrue(left.isEmpty() || store.unfinishedWrites().contains(id), left + " is not known as unfinished");
        }
    }

    @Test
    void aCommittedImageIsNeverReplaced() throws Exception {
        String id = newId();
        try (StoreWrite w = store.beginWrite(id, MIB)) {
            StoreIo.writeAll(w, random(MIB, 9), 100_003);
            w.commit();
        }
        IOException e = assertThrows(IOException.class, () -> store.beginWrite(id, MIB));
        assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
    }

    @Test
    void anImageWithClonesIsInUseAndNothingIsDeleted() throws Exception {
        String id = newId();
        String volume = newId();
        String url;
        try (StoreWrite w = store.beginWrite(id, 2 * MIB)) {
            StoreIo.writeAll(w, random(2 * MIB, 10), 100_003);
            url = w.commit();
        }
        TestCeph.Result clone = ceph.rbdAsCinder("clone", ceph.pool() + "/" + id + "@snap",
                ceph.cinderPool() + "/" + volume);
        assertEquals(0, clone.exit(), clone.stderr());
        assertThrows(StoreInUseException.class, () -> store.checkDeletable(url));
        assertThrows(StoreInUseException.class, () -> store.delete(url));
        assertEquals("true", info(ceph.pool() + "/" + id + "@snap").get("protected").asText(),
                "the refused delete changed nothing");
        ceph.rbd("rm", ceph.cinderPool() + "/" + volume);
        store.checkDeletable(url);
        store.delete(url);
        assertFalse(ceph.images(ceph.pool()).contains(id));
        store.delete(url); // already gone: not an error
    }

    @Test
    void copiesBetweenPoolsOfOneClusterInsideCephAndFlattensTheCopyInTheBackground() throws Exception {
        RbdStore second = store(ceph.pool2(), false, "ceph2");
        String id = newId();
        byte[] data = random(3 * MIB + 5, 11);
        String source = write(store, id, data);
        String copy;
        try (StoreWrite w = second.copyInside(store, source, id).orElseThrow()) {
            assertThrows(IOException.class, () -> w.channel().write(ByteBuffer.allocate(1)));
            copy = w.commit();
        }
        assertEquals("rbd://" + ceph.fsid() + "/" + ceph.pool2() + "/" + id + "/snap", copy);
        assertArrayEquals(data, read(second, copy, 0), "readable at once, flattened or not");
        await().atMost(Duration.ofSeconds(60)).until(() -> !info(ceph.pool2() + "/" + id).has("parent"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !meta(ceph.pool2() + "/" + id).contains(RbdStore.FLATTEN));
        store.checkDeletable(source);
        store.delete(source);
        assertArrayEquals(data, read(second, copy, 0));
        assertTrue(second.copyInside(new org.ferry.store.HttpStore(new StoreSettings("web", Optional.empty(), 0),
                new org.ferry.store.HttpStoreOptions(), new okhttp3.OkHttpClient()), "http://127.0.0.1/x", id).isEmpty());
        second.delete(copy);
        second.close();
    }

    private String write(Store s, String id, byte[] data) throws IOException {
        try (StoreWrite w = s.beginWrite(id, data.length)) {
            StoreIo.writeAll(w, data, 100_003);
            return w.commit();
        }
    }

    private String meta(String spec) {
        return ceph.rbd("image-meta", "list", spec);
    }

    /** What a copy inside Ceph is after its commit and before its flatten (as a stop in between leaves it). */
    private void unflattenedCopy(String id) {
        ceph.rbd("clone", ceph.pool() + "/" + id + "@snap", ceph.pool2() + "/" + id);
        ceph.rbd("snap", "create", ceph.pool2() + "/" + id + "@snap");
        ceph.rbd("snap", "protect", ceph.pool2() + "/" + id + "@snap");
        ceph.rbd("image-meta", "set", ceph.pool2() + "/" + id, RbdStore.FLATTEN, ceph.pool() + "/" + id + "@snap");
    }

    @Test
    void deletingTheSourceFlattensItsUnflattenedCopiesFirstButNotWhenSomeoneElseClonedIt() throws Exception {
        RbdStore second = store(ceph.pool2(), false, "ceph2");
        String id = newId();
        String volume = newId();
        byte[] data = random(2 * MIB + 77, 12);
        String source = write(store, id, data);
        unflattenedCopy(id);
        String copy = second.urlOf(id);
        assertTrue(info(ceph.pool2() + "/" + id).has("parent"));
        store.checkDeletable(source);

        TestCeph.Result clone = ceph.rbdAsCinder("clone", ceph.pool() + "/" + id + "@snap",
                ceph.cinderPool() + "/" + volume);
        assertEquals(0, clone.exit(), clone.stderr());
        assertThrows(StoreInUseException.class, () -> store.checkDeletable(source));
        assertThrows(StoreInUseException.class, () -> store.delete(source));
        assertTrue(info(ceph.pool2() + "/" + id).has("parent"), "a refused delete flattens nothing");
        assertTrue(ceph.images(ceph.pool()).contains(id));
        ceph.rbd("rm", ceph.cinderPool() + "/" + volume);

        store.delete(source);
        assertFalse(ceph.images(ceph.pool()).contains(id));
        assertFalse(info(ceph.pool2() + "/" + id).has("parent"));
        assertFalse(meta(ceph.pool2() + "/" + id).contains(RbdStore.FLATTEN));
        assertArrayEquals(data, read(second, copy, 0));
        second.delete(copy);
        assertFalse(ceph.images(ceph.pool2()).contains(id));
        second.close();
    }

    @Test
    void aFlattenAStopCutShortIsResumedAtStart() throws Exception {
        RbdStore second = store(ceph.pool2(), false, "ceph2");
        String id = newId();
        byte[] data = random(MIB + 3, 13);
        String source = write(store, id, data);
        unflattenedCopy(id);
        second.finishCopiesInside();
        await().atMost(Duration.ofSeconds(60)).until(() -> !meta(ceph.pool2() + "/" + id).contains(RbdStore.FLATTEN));
        assertFalse(info(ceph.pool2() + "/" + id).has("parent"));
        store.delete(source);
        assertArrayEquals(data, read(second, second.urlOf(id), 0));
        second.delete(second.urlOf(id));
        second.close();
    }

    @Test
    void aCopyDeletedWhileItsFlattenIsQueuedOrRunningLeavesNothing() throws Exception {
        RbdStore second = store(ceph.pool2(), false, "ceph2");
        String id = newId();
        String source = write(store, id, random(48 * MIB, 14));
        String copy;
        try (StoreWrite w = second.copyInside(store, source, id).orElseThrow()) {
            copy = w.commit();
        }
        second.delete(copy);
        assertFalse(ceph.images(ceph.pool2()).contains(id));
        store.checkDeletable(source);
        store.delete(source);
        assertFalse(ceph.images(ceph.pool()).contains(id));
        second.close();
    }

    @Test
    void streamsWithoutLibrbdsCacheAndFromItsOwnBuffers() throws Exception {
        assertEquals("false", store.cephOption("rbd_cache"), "over ceph.conf's default (true)");
        assertEquals("false", store.cephOption("rbd_disable_zero_copy_writes"));
        assertEquals("20", store.cephOption("rados_osd_op_timeout"), "rados_connect_timeout = 20");
    }

    @Test
    void ownsOnlyItsClusterAndPool() throws Exception {
        String id = UUID.randomUUID().toString();
        assertTrue(store.owns("rbd://" + ceph.fsid() + "/" + ceph.pool() + "/" + id + "/snap"));
        assertFalse(store.owns("rbd://" + ceph.fsid() + "/" + ceph.pool2() + "/" + id + "/snap"));
        assertFalse(store.owns("rbd://" + UUID.randomUUID() + "/" + ceph.pool() + "/" + id + "/snap"));
        assertFalse(store.owns("rbd://" + id));
        assertFalse(store.owns("file:///tmp/" + id));
        assertThrows(IOException.class, () -> store.open("rbd://" + ceph.fsid() + "/" + ceph.pool2() + "/x/snap"));
        RbdException missing = assertThrows(RbdException.class,
                () -> store.open("rbd://" + ceph.fsid() + "/" + ceph.pool() + "/" + id + "/snap"));
        assertEquals(RbdException.ENOENT, missing.errno());
    }

    @Test
    void showsGlancesDiscoveryProperties() throws Exception {
        var p = store.properties();
        assertEquals(List.of("chunk_size", "pool", "thin_provisioning", "fsid"), new ArrayList<>(p.keySet()));
        assertEquals(MIB, p.get("chunk_size"));
        assertEquals(ceph.pool(), p.get("pool"));
        assertEquals(false, p.get("thin_provisioning"));
        assertEquals(ceph.fsid(), p.get("fsid"));
    }

    @Test
    void aClusterThatCannotBeReachedIsAClearError() {
        RbdStore nowhere = new RbdStore(new StoreSettings("gone", Optional.empty(), 0),
                new RbdStoreOptions(ceph.pool(), "nobody", ceph.conf(), 1, 3, false));
        IOException e = assertThrows(IOException.class, () -> nowhere.beginWrite(UUID.randomUUID().toString(), 1));
        assertTrue(e.getMessage().contains("client.nobody"), e.getMessage());
        assertFalse(nowhere.owns("rbd://" + ceph.fsid() + "/" + ceph.pool() + "/x/snap"));
        assertFalse(nowhere.properties().containsKey("fsid"));
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
