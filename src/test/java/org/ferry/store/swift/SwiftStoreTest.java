package org.ferry.store.swift;

import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.store.LocationUrls;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.store.SwiftStoreOptions;
import org.ferry.testing.CuttingProxy;
import org.ferry.testing.TestSwift;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.testing.StoreIo.read;
import static org.ferry.testing.StoreIo.write;
import static org.ferry.testing.StoreIo.writeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The swift store against the Swift lab (a real Swift 2.30, tempauth): one container per test, removed with all it
 * holds. Large-object sizes are set small (3 MiB, 1 MiB segments) so that segments and manifests are exercised.
 */
class SwiftStoreTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    private TestSwift lab;
    private TestSwift.Raw raw;
    private String container;
    private final List<SwiftStore> stores = new ArrayList<>();
    private SwiftStore store;

    @BeforeEach
    void connect() throws IOException {
        lab = TestSwift.lab();
        raw = lab.raw();
        container = "ferry-test-" + UUID.randomUUID().toString().substring(0, 8);
        store = store(lines(true));
    }

    private List<String> lines(boolean create, String... more) {
        List<String> l = new ArrayList<>(List.of("[swift]"));
        l.addAll(lab.inlineOptions());
        l.addAll(List.of("swift_store_container = " + container, "swift_store_create_container_on_put = " + create,
                "swift_store_large_object_size = 3", "swift_store_large_object_chunk_size = 1"));
        l.addAll(List.of(more));
        return l;
    }

    private SwiftStore store(List<String> lines) {
        SwiftStoreOptions o = SwiftStoreOptions.read(new ConfigReader(IniFile.parse(lines, "test.conf")), "swift", dir);
        SwiftStore s = new SwiftStore(new StoreSettings("swift", Optional.empty(), 0), o, new okhttp3.OkHttpClient());
        stores.add(s);
        return s;
    }

    @AfterEach
    void removeContainer() throws IOException {
        stores.forEach(SwiftStore::close);
        if (raw != null) {
            raw.removeContainer(container);
        }
    }





    @Test
    void writesSmallAndSegmentedImagesAsGlanceAndReadsThemWholeAndFromAnOffset() throws Exception {
        for (int size : new int[]{0, 1, MIB, 3 * MIB - 1, 3 * MIB, 7 * MIB + 3}) {
            for (long expected : new long[]{size, -1}) {
                String id = UUID.randomUUID().toString();
                byte[] data = random(size, size);
                String url = write(store, id, data, expected);
                assertEquals("swift+config://ref1/" + container + "/" + id, url);
                assertTrue(store.owns(url));
                boolean segmented = expected < 0 || size >= 3 * MIB;
                Map<String, List<String>> head = raw.head(container, id);
                assertNotNull(head, "the object or manifest is there");
                if (segmented) {
                    assertEquals(List.of(container + "/" + id + "-"), head.get("x-object-manifest"), "size " + size);
                    int segments = (size + MIB - 1) / MIB;
                    List<String> expectedNames = new ArrayList<>();
                    for (int i = 1; i <= segments; i++) {
                        expectedNames.add(String.format("%s-%05d", id, i));
                    }
                    assertEquals(expectedNames, raw.list(container).stream().filter(n -> n.startsWith(id + "-"))
                            .toList(), "Glance's segment names, size " + size);
                } else {
                    assertNull(head.get("x-object-manifest"));
                }
                try (Store.StoreData d = store.open(url)) {
                    assertEquals(size, d.size());
                }
                assertArrayEquals(data, read(store, url, 0), "size " + size);
                if (size > 3) {
                    long from = size / 3;
                    assertArrayEquals(Arrays.copyOfRange(data, (int) from, size), read(store, url, from));
                }
                if (size > 2 * MIB) { // a segmented image is read segment by segment: across and at a boundary
                    for (int from : new int[]{2 * MIB - 1, 2 * MIB}) {
                        assertArrayEquals(Arrays.copyOfRange(data, from, size), read(store, url, from));
                    }
                }
            }
        }
    }

    @Test
    void deletesSegmentsThenTheManifestAndAMissingObjectIsNotFound() throws Exception {
        String id = UUID.randomUUID().toString();
        String url = write(store, id, random(5 * MIB + 7, 4), -1);
        assertEquals(7, raw.list(container).size(), "6 segments and the manifest");
        store.delete(url);
        assertEquals(List.of(), raw.list(container));
        store.delete(url); // already gone: fine
        assertThrows(FileNotFoundException.class, () -> store.open(url));
        String small = write(store, UUID.randomUUID().toString(), random(100, 5), 100);
        store.delete(small);
        assertEquals(List.of(), raw.list(container));
    }

    @Test
    void deletesAStaticLargeObjectWithItsSegments() throws Exception {
        store.beginWrite(UUID.randomUUID().toString(), 0).abort(); // makes the container
        String id = UUID.randomUUID().toString();
        raw.put(container, id + "/slo/1", random(MIB, 6));
        raw.put(container, id + "/slo/2", random(10, 7));
        String manifest = "[{\"path\":\"/" + container + "/" + id + "/slo/1\"},{\"path\":\"/" + container + "/" + id
                + "/slo/2\"}]";
        assertEquals(201, raw.status("PUT", raw.url(container, id).newBuilder()
                .addQueryParameter("multipart-manifest", "put").build(), Map.of(), manifest.getBytes()));
        String url = "swift+config://ref1/" + container + "/" + id;
        try (Store.StoreData d = store.open(url)) {
            assertEquals(MIB + 10, d.size());
        }
        store.delete(url);
        assertEquals(List.of(), raw.list(container), "manifest and segments deleted");
    }

    @Test
    void anAbortedOrFailedWriteLeavesNoSegments() throws Exception {
        String id = UUID.randomUUID().toString();
        StoreWrite w = store.beginWrite(id, -1);
        writeAll(w, random(3 * MIB + 5, 1)); // three segments sent, the fourth being sent
        w.abort();
        assertEquals(List.of(), raw.list(container));
        assertThrows(IOException.class, () -> w.channel().write(ByteBuffer.allocate(1)));
        w.abort(); // again: nothing happens

        // fewer bytes than announced: refused at commit, nothing left (the PUT of known length is cancelled)
        String short1 = UUID.randomUUID().toString();
        StoreWrite w2 = store.beginWrite(short1, 2 * MIB);
        writeAll(w2, random(MIB, 2));
        IOException e = assertThrows(IOException.class, w2::commit);
        assertEquals("Size mismatch: expected " + 2 * MIB + " bytes, got " + MIB + " bytes", e.getMessage());
        // more bytes than announced: refused while writing
        String long1 = UUID.randomUUID().toString();
        StoreWrite w3 = store.beginWrite(long1, 4 * MIB);
        assertThrows(IOException.class, () -> writeAll(w3, random(5 * MIB, 3)));
        w3.abort();
        assertEquals(List.of(), raw.list(container));
    }

    @Test
    void aSegmentSwiftRefusesFailsTheWriteWithSwiftsAnswerAndLeavesNothing() throws Exception {
        store.beginWrite(UUID.randomUUID().toString(), 0).abort(); // makes the container
        // a quota smaller than a segment: the first segment of known length is refused with 413
        assertEquals(204, raw.status("POST", raw.url(container), Map.of("X-Container-Meta-Quota-Bytes",
                String.valueOf(MIB / 2)), new byte[0]));
        StoreWrite w = store.beginWrite(UUID.randomUUID().toString(), 4 * MIB);
        IOException e = assertThrows(IOException.class, () -> {
            writeAll(w, random(4 * MIB, 8));
            w.commit();
        });
        assertTrue(e.getMessage().contains("Swift answered 413"), e.getMessage());
        w.abort();
        assertEquals(List.of(), raw.list(container));
    }

    @Test
    void aConnectionCutInTheMiddleOfASegmentFailsTheWriteAndItsSegmentsAreRemoved() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(raw.url().port())) {
            SwiftStore cut = store(lines(true, "swift_store_endpoint = "
                    + raw.url().newBuilder().port(proxy.port()).build()));
            String id = UUID.randomUUID().toString();
            StoreWrite w = cut.beginWrite(id, -1);
            proxy.cutAfter(CuttingProxy.Direction.UP, 2 * MIB + MIB / 2); // inside the third segment
            assertThrows(IOException.class, () -> {
                writeAll(w, random(5 * MIB, 14));
                w.commit();
            });
            w.abort();
            assertEquals(1, proxy.cuts());
            assertEquals(List.of(), raw.list(container), "the two segments written are removed");
        }
    }

    @Test
    void aReadCutShortResumesWhereItStoppedAsOftenAsRetryGetCountSays() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] data = random(6 * MIB, 15);
        String url = write(store, id, data, -1);
        try (CuttingProxy proxy = new CuttingProxy(raw.url().port())) {
            String endpoint = "swift_store_endpoint = " + raw.url().newBuilder().port(proxy.port()).build();
            SwiftStore retrying = store(lines(true, endpoint, "swift_store_retry_get_count = 1"));
            try (Store.StoreData d = retrying.open(url); InputStream in = d.stream()) {
                proxy.cutAfter(CuttingProxy.Direction.DOWN, 2 * MIB);
                assertArrayEquals(data, in.readAllBytes());
            }
            assertEquals(1, proxy.cuts());
            SwiftStore once = store(lines(true, endpoint));
            try (Store.StoreData d = once.open(url); InputStream in = d.stream()) {
                proxy.cutAfter(CuttingProxy.Direction.DOWN, 2 * MIB);
                assertThrows(IOException.class, in::readAllBytes, "swift_store_retry_get_count = 0: no retry");
            }
            assertEquals(2, proxy.cuts());
        }
    }

    @Test
    void aCrashedSegmentedWriteIsFoundAndItsSegmentsRemoved() throws Exception {
        String id = UUID.randomUUID().toString();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SwiftCrashWriter.class.getName(), lab.authUrl(), lab.user(),
                lab.key(), container, id, "2");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String line;
            do {
                line = out.readLine(); // its log lines come first
            } while (line != null && !line.equals("written"));
            assertEquals("written", line, "the writer failed before it was killed");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> raw.list(container).size() == 2); // the two full segments are answered
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertEquals(List.of(id + "-00001", id + "-00002"), raw.list(container), "the third was never committed");
        // committed images beside it are no leftovers, also one whose id ends in digits only (like a segment's)
        String done = UUID.randomUUID().toString();
        write(store, done, random(4 * MIB, 9), -1);
        write(store, "12345678-1234-4234-8234-123456789012", random(10, 9), 10);
        assertEquals(List.of(id), store.unfinishedWrites());
        store.purgePartials(done); // has its manifest: nothing happens
        assertEquals(5, raw.list(container).stream().filter(n -> n.startsWith(done)).count());
        store.purgePartials(id);
        assertEquals(List.of(), store.unfinishedWrites());
        assertTrue(raw.list(container).stream().noneMatch(n -> n.startsWith(id)));

        // leftovers of a crash are also replaced by the next write of that image, which never lists them
        raw.put(container, id + "-00007", random(10, 10));
        byte[] data = random(2 * MIB, 11);
        String url = write(store, id, data, -1);
        assertArrayEquals(data, read(store, url, 0));
    }

    @Test
    void refusesToOverwriteAnImageAndNeedsItsContainerUnlessToldToCreateIt() throws Exception {
        String id = UUID.randomUUID().toString();
        write(store, id, random(10, 12), 10);
        IOException e = assertThrows(IOException.class, () -> store.beginWrite(id, 10));
        assertEquals("Swift already has an image at this location", e.getMessage());

        String other = "ferry-missing-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> l = new ArrayList<>(lab.inlineOptions());
        l.add(0, "[swift]");
        l.add("swift_store_container = " + other);
        SwiftStore strict = store(l);
        e = assertThrows(IOException.class, () -> strict.beginWrite("x", 1));
        assertEquals("The container " + other + " does not exist in Swift. Please set the "
                + "swift_store_create_container_on_put option to add container to Swift automatically.",
                e.getMessage());
    }

    @Test
    void readsGlancesLocationsWithCredentialsAndAReferenceOfTheConfigFile() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] data = random(4 * MIB, 13);
        write(store, id, data, -1);
        // Glance without a config file: swift+http://<user>:<key>@<auth address>/<container>/<object>, quoted
        String address = lab.authUrl().replace("http://", "");
        String glanceForm = "swift+http://" + URLEncoder.encode(lab.user(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(lab.key(), StandardCharsets.UTF_8) + "@" + address + "/" + container + "/" + id;
        assertTrue(store.owns(glanceForm));
        assertArrayEquals(data, read(store, glanceForm, 0));
        assertEquals("swift+http://***@" + address + "/" + container + "/" + id, LocationUrls.shown(glanceForm));
        assertFalse(store.owns("swift+http://a:b@elsewhere:8080/auth/v1.0/" + container + "/" + id));
        assertFalse(store.owns("swift+config://unknown/" + container + "/" + id));
        assertFalse(store.owns("swift://user:pass@http://host/v1/c/o"), "two schemes");

        // with swift_store_config_file: references by name; the other account reads its own images only
        Path conf = dir.resolve("glance-swift.conf");
        TestSwift second = lab.second();
        Files.write(conf, List.of("[DEFAULT]", "auth_version = 1", "[ref1]", "auth_address = " + lab.authUrl(),
                "user = " + lab.user(), "key = \"" + lab.key() + "\"", "[other]", "auth_address = " + lab.authUrl(),
                "user = " + second.user(), "key = " + second.key()));
        SwiftStore byRef = store(List.of("[swift]", "swift_store_config_file = " + conf,
                "default_swift_reference = ref1", "swift_store_container = " + container));
        assertArrayEquals(data, read(byRef, "swift+config://ref1/" + container + "/" + id, 0));
        assertTrue(byRef.owns("swift+config://other/" + container + "/" + id));
        assertThrows(FileNotFoundException.class, () -> byRef.open("swift+config://other/" + container + "/" + id));
    }

    @Test
    void showsGlancesDiscoveryPropertiesAndNeverAKey() {
        assertEquals(Map.of("container", container, "large_object_size", 3L * MIB, "large_object_chunk_size",
                (long) MIB), store.properties());
        assertFalse(store.options().toString().contains(lab.key()), store.options().toString());
        assertFalse(store.toString().contains(lab.key()));
    }
}
