package ferry.bench.s3;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A stream of size pseudo-random bytes, made on the fly (nothing is held): byte p is byte p % 8 (little-endian) of
 * the 64-bit word mix(seed, p / 8), so that any range can be made again to check a ranged GET.
 */
public final class RandomBytes extends InputStream {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long seed;
    private final long end;
    private long pos;

    public RandomBytes(long seed, long offset, long size) {
        this.seed = seed;
        this.pos = offset;
        this.end = offset + size;
    }

    static long word(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public int read() {
        if (pos >= end) return -1;
        int b = (int) (word(seed, pos >>> 3) >>> ((pos & 7) * 8)) & 0xff;
        pos++;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        if (pos >= end) return -1;
        int n = (int) Math.min(len, end - pos);
        int i = 0;
        while (i < n && (pos & 7) != 0) { // to a word boundary
            b[off + i++] = (byte) (word(seed, pos >>> 3) >>> ((pos & 7) * 8));
            pos++;
        }
        while (n - i >= 8) {
            LONGS.set(b, off + i, word(seed, pos >>> 3));
            i += 8;
            pos += 8;
        }
        while (i < n) {
            b[off + i++] = (byte) (word(seed, pos >>> 3) >>> ((pos & 7) * 8));
            pos++;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, end - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }
}
