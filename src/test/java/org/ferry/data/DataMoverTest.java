package org.ferry.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DataMover: one pass that copies to every channel and computes md5 + the configured digest on their own threads. */
class DataMoverTest {
    private static final int MIB = 1 << 20;
    private static final Duration NO_HANG = Duration.ofSeconds(20);

    private ExecutorService digestThreads;

    @BeforeEach
    void threads() {
        digestThreads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() {
        digestThreads.shutdownNow();
    }

    private Digests move(DataMover mover, InputStream in, List<WritableByteChannel> outs, DataMover.Limits limits)
            throws IOException {
        return mover.move(in, outs, "SHA-512", "sha512", limits, null);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, MIB - 1, MIB, 5 * MIB + 3})
    void digestsAndCopiesMatchJavaMessageDigest(int size) throws Exception {
        byte[] data = random(size);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Digests d = assertTimeoutPreemptively(NO_HANG, () -> move(new DataMover(digestThreads, MIB, 4),
                new ByteArrayInputStream(data), List.of(Channels.newChannel(a), Channels.newChannel(b)),
                DataMover.Limits.none()));
        assertEquals(size, d.size());
        assertEquals(md5(data), d.md5());
        assertEquals("sha512", d.hashAlgo());
        assertEquals(sha512(data), d.hash());
        assertArrayEquals(data, a.toByteArray());
        assertArrayEquals(a.toByteArray(), b.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, 100_003})
    void smallBuffersAndShortReadsStillGiveTheSameResult(int size) throws Exception {
        byte[] data = random(size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> progress = new ArrayList<>();
        Digests d = assertTimeoutPreemptively(NO_HANG, () -> new DataMover(digestThreads, 4096, 2)
                .move(new Trickle(data, 1000), List.of(Channels.newChannel(out)), "SHA-512", "sha512",
                        DataMover.Limits.none(), progress::add));
        assertEquals(md5(data), d.md5());
        assertEquals(sha512(data), d.hash());
        assertArrayEquals(data, out.toByteArray());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress goes up: " + progress);
        }
        if (size == 0) {
            assertEquals(List.of(), progress);
        } else {
            assertEquals(size, progress.get(progress.size() - 1));
        }
    }

    @Test
    void theConfiguredAlgorithmIsUsedForTheSecondDigest() throws Exception {
        byte[] data = random(10_000);
        Digests d = new DataMover(digestThreads, 4096, 2).move(new ByteArrayInputStream(data), List.of(), "SHA-256",
                "sha256", DataMover.Limits.none(), null);
        assertEquals("sha256", d.hashAlgo());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data)),
                d.hash());
    }

    @Test
    void exactlyTheCapIsAllowedOneMoreByteIsNot() throws Exception {
        DataMover mover = new DataMover(digestThreads, 4096, 2);
        assertEquals(10_000, move(mover, new ByteArrayInputStream(random(10_000)), List.of(),
                new DataMover.Limits(10_000, null)).size());
        SizeLimitException e = assertThrows(SizeLimitException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> move(mover, new ByteArrayInputStream(random(10_001)), List.of(), new DataMover.Limits(10_000, null))));
        assertEquals(SizeLimitException.Kind.CAP_EXCEEDED, e.kind());
    }

    @Test
    void capIsCheckedBeforeTheDataIsWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SizeLimitException e = assertThrows(SizeLimitException.class, () -> new DataMover(digestThreads, 1024, 2)
                .move(new ByteArrayInputStream(random(5000)), List.of(Channels.newChannel(out)), "SHA-512", "sha512",
                        new DataMover.Limits(2048, null), null));
        assertEquals(SizeLimitException.Kind.CAP_EXCEEDED, e.kind());
        assertTrue(out.size() <= 2048, "wrote " + out.size() + " bytes past a cap of 2048");
    }

    @Test
    void moreDataThanDeclaredIsSizeExceeded() {
        SizeLimitException e = assertThrows(SizeLimitException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> move(new DataMover(digestThreads, 4096, 2), new ByteArrayInputStream(random(3 * MIB)), List.of(),
                        new DataMover.Limits(Long.MAX_VALUE, 1000L))));
        assertEquals(SizeLimitException.Kind.DECLARED_SIZE_EXCEEDED, e.kind());
    }

    @Test
    void lessDataThanDeclaredIsSizeMismatch() {
        SizeLimitException e = assertThrows(SizeLimitException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> move(new DataMover(digestThreads, 4096, 2), new ByteArrayInputStream(random(1000)), List.of(),
                        new DataMover.Limits(Long.MAX_VALUE, 1001L))));
        assertEquals(SizeLimitException.Kind.DECLARED_SIZE_MISMATCH, e.kind());
        assertTrue(e.getMessage().contains("1001") && e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void declaredSizeMatchingTheDataIsFine() throws Exception {
        byte[] data = random(MIB + 5);
        assertEquals(md5(data), move(new DataMover(digestThreads, MIB, 4), new ByteArrayInputStream(data), List.of(),
                new DataMover.Limits(Long.MAX_VALUE, (long) data.length)).md5());
        assertEquals(md5(new byte[0]), move(new DataMover(digestThreads, MIB, 4), InputStream.nullInputStream(),
                List.of(), new DataMover.Limits(Long.MAX_VALUE, 0L)).md5());
    }

    @Test
    void aStreamThatBreaksMidwayFailsAndTheDigestThreadsEnd() throws Exception {
        InputStream broken = new InputStream() {
            private final InputStream head = new ByteArrayInputStream(random(3 * MIB + 17));

            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = head.read(b, off, Math.min(len, 64 * 1024));
                if (n < 0) {
                    throw new IOException("connection reset");
                }
                return n;
            }
        };
        IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> move(new DataMover(digestThreads, 256 * 1024, 4), broken, List.of(), DataMover.Limits.none())));
        assertEquals("connection reset", e.getMessage());
        digestThreads.shutdown();
        assertTrue(digestThreads.awaitTermination(10, TimeUnit.SECONDS), "digest threads still running");
    }

    @Test
    void aChannelThatFailsStopsTheMoveAndTheDigestThreadsEnd() throws Exception {
        WritableByteChannel full = new WritableByteChannel() {
            private long written;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (written > MIB) {
                    throw new IOException("No space left on device");
                }
                int n = src.remaining();
                src.position(src.limit());
                written += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> move(new DataMover(digestThreads, 64 * 1024, 4), new ByteArrayInputStream(random(4 * MIB)),
                        List.of(full), DataMover.Limits.none())));
        assertEquals("No space left on device", e.getMessage());
        digestThreads.shutdown();
        assertTrue(digestThreads.awaitTermination(10, TimeUnit.SECONDS), "digest threads still running");
    }

    @Test
    void anUnknownDigestFailsAtOnceInsteadOfHanging() {
        assertThrows(IllegalStateException.class, () -> assertTimeoutPreemptively(NO_HANG,
                () -> new DataMover(digestThreads, 4096, 2).move(new ByteArrayInputStream(random(100_000)), List.of(),
                        "NO-SUCH-DIGEST", "nope", DataMover.Limits.none(), null)));
    }

    @Test
    void manyMovesShareOneThreadPool() throws Exception {
        DataMover mover = new DataMover(digestThreads, 8192, 3);
        for (int i = 0; i < 50; i++) {
            byte[] data = random(20_000 + i);
            assertEquals(sha512(data), move(mover, new ByteArrayInputStream(data), List.of(),
                    DataMover.Limits.none()).hash());
        }
    }

    /** Chunks are reused from move to move: a failed move in between and moves at the same time still hash right. */
    @Test
    void reusedChunksNeverMixMovesUpAfterAFailureOrInParallel() throws Exception {
        DataMover mover = new DataMover(digestThreads, 16 * 1024, 3);
        byte[] first = random(200_001);
        assertEquals(sha512(first), move(mover, new ByteArrayInputStream(first), List.of(), DataMover.Limits.none()).hash());
        assertThrows(SizeLimitException.class, () -> move(mover, new ByteArrayInputStream(random(300_000)), List.of(),
                new DataMover.Limits(100_000, null)));
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = random(150_000 + 977 * i);
                ByteArrayOutputStream copy = new ByteArrayOutputStream();
                results.add(callers.submit(() -> {
                    Digests d = move(mover, new Trickle(data, 5000), List.of(Channels.newChannel(copy)),
                            DataMover.Limits.none());
                    return d.hash().equals(sha512(data)) && d.md5().equals(md5(data))
                            && Arrays.equals(data, copy.toByteArray());
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(20, TimeUnit.SECONDS), "digests and copy of a parallel move");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** Hands out at most {@code step} bytes per read, like a slow socket. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;
        private final int step;

        Trickle(byte[] data, int step) {
            this.in = new ByteArrayInputStream(data);
            this.step = step;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, step));
        }
    }
}
