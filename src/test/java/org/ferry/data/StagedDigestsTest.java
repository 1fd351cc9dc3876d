package org.ferry.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digests sidecar written beside a staged file, so an import never re-reads the file to hash it. */
class StagedDigestsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsWhileTheFileKeepsItsSize() throws Exception {
        Path staged = dir.resolve("img-1");
        Files.write(staged, new byte[] {1, 2, 3});
        Digests d = new Digests(3, "m", "sha512", "h");
        StagedDigests.write(staged, d);
        assertEquals(Optional.of(d), StagedDigests.read(staged));
        assertEquals(dir.resolve(".img-1.digests"), StagedDigests.sidecar(staged));
        assertFalse(Files.exists(dir.resolve(".img-1.digests.tmp")), "written through a temporary, then renamed");
    }

    @Test
    void aFileOfAnotherSizeHasNoRecordedDigests() throws Exception {
        Path staged = dir.resolve("img-2");
        Files.write(staged, new byte[] {1, 2, 3});
        StagedDigests.write(staged, new Digests(3, "m", "sha512", "h"));
        Files.write(staged, new byte[] {1, 2, 3, 4});
        assertTrue(StagedDigests.read(staged).isEmpty());
    }

    @Test
    void missingOrCorruptSidecarsReadAsEmpty() throws Exception {
        Path staged = dir.resolve("img-3");
        Files.write(staged, new byte[] {1});
        assertTrue(StagedDigests.read(staged).isEmpty());
        Files.writeString(StagedDigests.sidecar(staged), "not json");
        assertTrue(StagedDigests.read(staged).isEmpty());
        assertTrue(StagedDigests.read(dir.resolve("never-staged")).isEmpty());
    }

    @Test
    void deleteRemovesTheFileAndItsSidecar() throws Exception {
        Path staged = dir.resolve("img-4");
        Files.write(staged, new byte[] {1});
        StagedDigests.write(staged, new Digests(1, "m", "sha512", "h"));
        StagedDigests.delete(staged);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
        StagedDigests.delete(staged);
    }
}
