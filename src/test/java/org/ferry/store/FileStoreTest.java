package org.ferry.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file store: invisible until committed, nothing left behind, and no access outside its directory. */
class FileStoreTest {
    private static final String ID = "5f6b3c1e-0000-4000-8000-000000000001";

    @TempDir
    Path root;
    private Path dir;
    private FileStore store;

    @BeforeEach
    void store() {
        dir = root.resolve("fast");
        store = new FileStore(new StoreSettings("fast", Optional.of("Fast"), 7), new FileStoreOptions(dir, 65536, false));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void write(StoreWrite w, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            w.channel().write(b);
        }
    }

    @Test
    void writesWithDirectIoOnTheMachinesDisk() throws IOException {
        assertTrue(store.directIo(), "the test directory is on ext4, which allows direct I/O");
        StoreWrite w = store.beginWrite(ID);
        byte[] data = new byte[100_001];
        data[100_000] = 7;
        write(w, data);
        w.commit();
        assertArrayEquals(data, Files.readAllBytes(dir.resolve(ID)));
        assertEquals(List.of(ID), names(), "no probe file or partial file is left");
    }

    @Test
    void createsItsDirectoryAndDescribesItself() {
        assertTrue(Files.isDirectory(dir));
        assertEquals("file", store.type());
        assertTrue(store.writable());
        assertEquals(7, store.weight());
        assertEquals(Optional.of("Fast"), store.description());
        assertEquals(Map.of("data_dir", dir.toAbsolutePath().normalize().toString(), "chunk_size", 65536,
                "thin_provisioning", false), store.properties());
    }

    @Test
    void commitPublishesTheWholeFileAtOnce() throws Exception {
        byte[] data = "image bytes".repeat(1000).getBytes();
        String url;
        try (StoreWrite w = store.beginWrite(ID)) {
            write(w, data);
            assertFalse(Files.exists(dir.resolve(ID)), "visible before commit");
            List<String> during = names();
            assertEquals(1, during.size());
            assertTrue(during.get(0).startsWith(".") && during.get(0).endsWith(".part"), during.toString());
            url = w.commit();
        }
        assertEquals("file://" + dir.toAbsolutePath().normalize().resolve(ID), url);
        assertEquals(List.of(ID), names(), "exactly the image file, no temporary left");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve(ID)));
        assertTrue(store.owns(url));
        try (Store.StoreData d = store.open(url)) {
            assertEquals(data.length, d.size());
            assertArrayEquals(data, Channels.newInputStream(d.channel()).readAllBytes());
        }
    }

    @Test
    void abortLeavesNothing() throws Exception {
        StoreWrite w = store.beginWrite(ID);
        write(w, new byte[10_000]);
        w.abort();
        assertEquals(List.of(), names());
        w.abort();
        w.close();
        assertEquals(List.of(), names());
    }

    @Test
    void closingWithoutCommitIsAnAbort() throws Exception {
        try (StoreWrite w = store.beginWrite(ID)) {
            write(w, new byte[123]);
        }
        assertEquals(List.of(), names());
    }

    @Test
    void closingAfterCommitKeepsTheData() throws Exception {
        StoreWrite w = store.beginWrite(ID);
        write(w, new byte[] {1, 2, 3});
        w.commit();
        w.close();
        w.abort();
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve(ID)));
    }

    @Test
    void twoWritesOfOneImageDoNotMixTheirBytes() throws Exception {
        StoreWrite a = store.beginWrite(ID);
        StoreWrite b = store.beginWrite(ID);
        write(a, new byte[] {1, 1, 1});
        write(b, new byte[] {2, 2});
        b.abort();
        a.commit();
        assertArrayEquals(new byte[] {1, 1, 1}, Files.readAllBytes(dir.resolve(ID)));
        assertEquals(List.of(ID), names());
    }

    @Test
    void exclusiveWriteRefusesExistingData() throws Exception {
        try (StoreWrite w = store.beginExclusiveWrite(ID)) {
            write(w, new byte[] {9});
            w.commit();
        }
        assertThrows(FileAlreadyExistsException.class, () -> store.beginExclusiveWrite(ID));
        assertEquals(List.of(ID), names());
    }

    @Test
    void ownsOnlyFilesInsideItsDirectory() throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        assertTrue(store.owns("file://" + abs.resolve(ID)));
        assertTrue(store.owns("file://" + abs + "/sub/../" + ID));
        assertFalse(store.owns("file://" + abs), "the directory itself");
        assertFalse(store.owns("file://" + abs + "/"), "the directory itself");
        assertFalse(store.owns("file://" + abs + "/../cheap/" + ID));
        assertFalse(store.owns("file://" + abs + "/../../etc/passwd"));
        assertFalse(store.owns("file://" + abs + "x/" + ID), "a sibling sharing the prefix");
        assertFalse(store.owns("file://" + root.toAbsolutePath().resolve("cheap").resolve(ID)));
        assertFalse(store.owns("http://example.com/" + ID));
        assertFalse(store.owns("file:" + abs.resolve(ID)));
        assertFalse(store.owns(null));
    }

    @Test
    void escapingUrlsCannotBeReadOrDeleted() throws IOException {
        Path outside = root.resolve("secret");
        Files.writeString(outside, "keep me");
        String escape = "file://" + dir.toAbsolutePath().normalize() + "/../secret";
        assertThrows(IOException.class, () -> store.open(escape));
        store.delete(escape);
        assertTrue(Files.exists(outside));
        assertThrows(IOException.class, () -> store.open("file://" + outside.toAbsolutePath()));
        store.delete("file://" + outside.toAbsolutePath());
        assertEquals("keep me", Files.readString(outside));
    }

    @Test
    void deleteRemovesTheImageAndToleratesAMissingOne() throws Exception {
        String url;
        try (StoreWrite w = store.beginWrite(ID)) {
            write(w, new byte[] {5});
            url = w.commit();
        }
        store.delete(url);
        assertEquals(List.of(), names());
        store.delete(url);
        assertThrows(IOException.class, () -> store.open(url));
    }

    @Test
    void adoptPublishesACompleteCopyOfAFileAndKeepsTheSource() throws Exception {
        Path staged = root.resolve("staging").resolve(ID);
        Files.createDirectories(staged.getParent());
        byte[] data = "staged image".repeat(5000).getBytes();
        Files.write(staged, data);
        String url = store.adopt(staged, ID);
        assertEquals("file://" + dir.toAbsolutePath().normalize().resolve(ID), url);
        assertEquals(List.of(ID), names(), "no temporary left");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve(ID)));
        assertArrayEquals(data, Files.readAllBytes(staged), "the source is untouched");
        Files.delete(staged);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve(ID)), "the store's copy outlives the source");
    }

    @Test
    void adoptOfAMissingSourceLeavesNothing() throws IOException {
        assertThrows(IOException.class, () -> store.adopt(root.resolve("missing"), ID));
        assertEquals(List.of(), names());
    }

    @Test
    void purgePartialsRemovesOnlyThatImagesUnfinishedWrites() throws Exception {
        String other = "5f6b3c1e-0000-4000-8000-000000000002";
        try (StoreWrite w = store.beginWrite(ID)) {
            write(w, new byte[] {1});
            w.commit();
        }
        StoreWrite left = store.beginWrite(ID);
        write(left, new byte[] {2});
        StoreWrite otherWrite = store.beginWrite(other);
        Files.writeString(dir.resolve("." + ID + ".digests"), "{}");
        store.purgePartials(ID);
        List<String> after = names();
        assertTrue(after.contains(ID), after.toString());
        assertTrue(after.contains("." + ID + ".digests"), after.toString());
        assertEquals(1, after.stream().filter(n -> n.startsWith("." + other + ".") && n.endsWith(".part")).count());
        assertEquals(0, after.stream().filter(n -> n.startsWith("." + ID + ".") && n.endsWith(".part")).count());
        left.abort();
        otherWrite.abort();
    }

    @Test
    void relativeDirectoriesAreResolved() {
        FileStore rel = new FileStore(new StoreSettings("rel", Optional.empty(), 0),
                new FileStoreOptions(root.resolve("a/../b"), 4096, true));
        assertEquals(root.toAbsolutePath().normalize().resolve("b"), rel.dir());
        assertEquals(true, rel.properties().get("thin_provisioning"));
        assertEquals(4096, rel.properties().get("chunk_size"));
    }
}
