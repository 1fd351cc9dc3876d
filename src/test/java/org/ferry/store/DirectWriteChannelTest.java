package org.ferry.store;

import org.ferry.data.ImageFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct-I/O writes: every byte arrives whatever the piece sizes, the padded last block is cut back to the real size,
 * and the probe tells where direct I/O works. The test directory is on the machine's disk (ext4 on the CI and
 * benchmark machines), where direct I/O is available.
 */
class DirectWriteChannelTest {
    @TempDir
    Path dir;

    private int alignment() {
        OptionalInt a = DirectWriteChannel.probe(dir);
        assertTrue(a.isPresent(), "direct I/O is available on the test directory's filesystem");
        return a.getAsInt();
    }

    private static void writeInPieces(DirectWriteChannel ch, byte[] data, int piece) throws IOException {
        for (int off = 0; off < data.length; off += piece) {
            ByteBuffer b = ByteBuffer.wrap(data, off, Math.min(piece, data.length - off));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private byte[] writeAndRead(String name, byte[] data, int piece) throws IOException {
        Path p = dir.resolve(name);
        try (DirectWriteChannel ch = DirectWriteChannel.create(p, alignment())) {
            writeInPieces(ch, data, piece);
            ch.sync();
        }
        return Files.readAllBytes(p);
    }

    @Test
    void probeFindsABlockAlignmentAndLeavesNothingBehind() throws IOException {
        int a = alignment();
        assertTrue(a >= 512 && Integer.bitCount(a) == 1, "alignment " + a);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "the probe file is removed");
        }
    }

    @Test
    void probeOfAMissingDirectoryIsEmpty() {
        assertFalse(DirectWriteChannel.probe(dir.resolve("missing")).isPresent());
    }

    @Test
    void keepsEveryByteOfOddSizedPiecesAndCutsThePaddedTail() throws IOException {
        byte[] data = ImageFixtures.random(7 * DirectWriteChannel.BUFFER_SIZE + 12_345, 7);
        assertArrayEquals(data, writeAndRead("odd", data, 7777));
    }

    @Test
    void keepsPiecesLargerThanItsBuffer() throws IOException {
        byte[] data = ImageFixtures.random(9 * DirectWriteChannel.BUFFER_SIZE + 1, 8);
        assertArrayEquals(data, writeAndRead("large-pieces", data, 2 * DirectWriteChannel.BUFFER_SIZE + 3));
    }

    @Test
    void writesAnAlignedSizeWithoutPadding() throws IOException {
        byte[] data = ImageFixtures.random(2 * DirectWriteChannel.BUFFER_SIZE, 9);
        assertArrayEquals(data, writeAndRead("aligned", data, 128 * 1024));
    }

    @Test
    void writesSmallAndEmptyFiles() throws IOException {
        byte[] one = {42};
        assertArrayEquals(one, writeAndRead("one", one, 1));
        assertArrayEquals(new byte[0], writeAndRead("empty", new byte[0], 1));
    }

    @Test
    void refusesWritesAfterTheSyncAndAfterClosing() throws IOException {
        DirectWriteChannel ch = DirectWriteChannel.create(dir.resolve("done"), alignment());
        writeInPieces(ch, new byte[]{1, 2, 3}, 3);
        ch.sync();
        assertThrows(IllegalStateException.class, () -> ch.write(ByteBuffer.wrap(new byte[1])));
        ch.close();
        ch.close();
        assertFalse(ch.isOpen());
        assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.wrap(new byte[1])));
        assertThrows(ClosedChannelException.class, ch::sync);
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(dir.resolve("done")));
    }

    @Test
    void closingWithoutSyncKeepsTheFullBuffersWritten() throws IOException {
        Path p = dir.resolve("dropped");
        byte[] data = ImageFixtures.random(2 * DirectWriteChannel.BUFFER_SIZE + 10, 10);
        DirectWriteChannel ch = DirectWriteChannel.create(p, alignment());
        writeInPieces(ch, data, 65536);
        ch.close();
        assertEquals(2L * DirectWriteChannel.BUFFER_SIZE, Files.size(p), "what was handed to the disk, no more");
    }
}
