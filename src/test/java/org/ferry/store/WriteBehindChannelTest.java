package org.ferry.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Background syncs while writing: they start every few bytes, never corrupt the data, and closing stops them. */
class WriteBehindChannelTest {
    @TempDir
    Path dir;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static FileChannel open(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private static void writeInPieces(WriteBehindChannel ch, byte[] data, int piece) throws IOException {
        for (int off = 0; off < data.length; off += piece) {
            ByteBuffer b = ByteBuffer.wrap(data, off, Math.min(piece, data.length - off));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    @Test
    void syncsInTheBackgroundWhileWritingAndKeepsEveryByte() throws IOException {
        Path p = dir.resolve("image");
        byte[] data = random(8 << 20);
        try (WriteBehindChannel ch = new WriteBehindChannel(open(p), 256 << 10)) {
            writeInPieces(ch, data, 64 << 10);
            ch.sync();
            assertTrue(ch.backgroundSyncs() >= 1, "background syncs started: " + ch.backgroundSyncs());
        }
        assertArrayEquals(data, Files.readAllBytes(p));
    }

    @Test
    void startsNoBackgroundSyncBelowTheThreshold() throws IOException {
        Path p = dir.resolve("small");
        byte[] data = random(100_000);
        try (WriteBehindChannel ch = new WriteBehindChannel(open(p))) {
            writeInPieces(ch, data, 8192);
            ch.sync();
            assertEquals(0, ch.backgroundSyncs());
        }
        assertArrayEquals(data, Files.readAllBytes(p));
    }

    @Test
    void closingWhileASyncRunsIsQuietAndTheChannelIsClosed() throws IOException {
        Path p = dir.resolve("dropped");
        WriteBehindChannel ch = new WriteBehindChannel(open(p), 4096);
        writeInPieces(ch, random(1 << 20), 4096);
        ch.close();
        assertFalse(ch.isOpen());
        assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.wrap(new byte[1])));
        assertThrows(ClosedChannelException.class, ch::sync);
    }
}
