package ferry.bench.s3;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The workload of an s3 store driver, the same for every client.
 *
 * <pre>
 *   MAIN run bucket=B key=K size=BYTES threads=T [seed=N]   upload, download, ranged GET, delete; prints RESULT
 *   MAIN abort-check bucket=B key=K threads=T               an upload whose source fails: aborted? prints ABORT
 *   MAIN setup bucket=B | cleanup bucket=B                   create | empty (objects, uploads) and delete
 *   any mode: label=NAME names the client in the output; other key=value are the client's options
 * </pre>
 *
 * Endpoint and keys from FERRY_S3_ENDPOINT, FERRY_S3_ACCESS_KEY, FERRY_S3_SECRET_KEY; region FERRY_S3_REGION
 * (us-east-1); path-style addressing, SigV4.
 */
public final class Bench {
    public static final int PART_SIZE = 10 << 20; // Glance's s3_store_large_object_chunk_size default
    static final int RANGE_LENGTH = 4 << 20;

    /** What a client module gets to build its S3Ops. */
    public record Config(String endpoint, String accessKey, String secretKey, String region, int threads,
                         Map<String, String> options) {
        public String option(String name, String otherwise) {
            return options.getOrDefault(name, otherwise);
        }
    }

    private Bench() {}

    public static void main(String client, String[] args, Function<Config, S3Ops> factory) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: MODE key=value...");
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("not key=value: " + args[i]);
            kv.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        client = kv.getOrDefault("label", client); // a variant's name, e.g. minio:okhttp=default
        int threads = Integer.parseInt(kv.getOrDefault("threads", "4"));
        Config cfg = new Config(env("FERRY_S3_ENDPOINT"), env("FERRY_S3_ACCESS_KEY"), env("FERRY_S3_SECRET_KEY"),
                System.getenv().getOrDefault("FERRY_S3_REGION", "us-east-1"), threads, kv);
        String bucket = kv.get("bucket");
        try (S3Ops ops = factory.apply(cfg)) {
            switch (args[0]) {
                case "setup" -> ops.createBucket(bucket);
                case "cleanup" -> cleanup(ops, bucket);
                case "run" -> run(client, ops, bucket, kv.get("key"), Long.parseLong(kv.get("size")), threads,
                        Long.parseLong(kv.getOrDefault("seed", "1")));
                case "abort-check" -> abortCheck(client, ops, bucket, kv.get("key"), threads);
                default -> throw new IllegalArgumentException("no mode " + args[0]);
            }
        }
        System.exit(0); // clients' non-daemon threads (OkHttp's dispatcher, connection reapers) must not hold the JVM
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) throw new IllegalStateException(name + " is not set");
        return v;
    }

    static void cleanup(S3Ops ops, String bucket) throws Exception {
        for (S3Ops.Upload u : ops.listUploads(bucket)) ops.abortMultipart(bucket, u.key(), u.uploadId());
        for (String key : ops.listKeys(bucket)) ops.deleteObject(bucket, key);
        ops.deleteBucket(bucket);
    }

    /**
     * The driver's upload: one pass over the stream of unknown size, parts of PART_SIZE uploaded by up to threads
     * threads, at most threads + 1 part buffers; the upload is aborted when anything fails. Returns
     * {md5 of the bytes, number of bytes, ETag of the complete call}.
     */
    static String[] upload(S3Ops ops, String bucket, String key, InputStream in, int threads) throws Exception {
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(threads + 1);
        for (int i = 0; i <= threads; i++) free.add(new byte[PART_SIZE]);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<String>> parts = new ArrayList<>();
        String uploadId = ops.createMultipart(bucket, key);
        try {
            long total = 0;
            while (true) {
                byte[] buf = free.take();
                int n = in.readNBytes(buf, 0, PART_SIZE);
                if (n == 0 && !parts.isEmpty()) break;
                md5.update(buf, 0, n);
                total += n;
                int number = parts.size() + 1;
                parts.add(pool.submit(() -> {
                    try {
                        return ops.uploadPart(bucket, key, uploadId, number, buf, n);
                    } finally {
                        free.add(buf);
                    }
                }));
                for (Future<String> f : parts) if (f.isDone()) f.get(); // a failed part stops the upload early
                if (n < PART_SIZE) break;
            }
            List<String> etags = new ArrayList<>();
            for (Future<String> f : parts) etags.add(f.get());
            String etag = ops.completeMultipart(bucket, key, uploadId, etags);
            return new String[] {HexFormat.of().formatHex(md5.digest()), Long.toString(total), String.valueOf(etag)};
        } catch (Exception e) {
            for (Future<String> f : parts) f.cancel(true);
            pool.shutdownNow();
            try {
                ops.abortMultipart(bucket, key, uploadId);
            } catch (Exception abort) {
                e.addSuppressed(abort);
            }
            throw e instanceof ExecutionException && e.getCause() instanceof Exception c ? c : e;
        } finally {
            pool.shutdownNow();
        }
    }

    static void run(String client, S3Ops ops, String bucket, String key, long size, int threads, long seed)
            throws Exception {
        double cpu0 = cpuSeconds();
        long t0 = System.nanoTime();
        String[] up = upload(ops, bucket, key, new RandomBytes(seed, 0, size), threads);
        long t1 = System.nanoTime();
        double cpu1 = cpuSeconds();
        long upHwm = vmHwmKiB();
        if (Long.parseLong(up[1]) != size) throw new IllegalStateException("uploaded " + up[1] + " of " + size);
        S3Ops.Head head = ops.head(bucket, key);
        if (head.size() != size) throw new IllegalStateException("HEAD says " + head.size() + " bytes, not " + size);

        resetHwm();
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        long got = 0;
        long t2 = System.nanoTime();
        try (InputStream in = ops.get(bucket, key)) {
            byte[] b = new byte[64 << 10];
            for (int n; (n = in.read(b)) > 0; got += n) md5.update(b, 0, n);
        }
        long t3 = System.nanoTime();
        double cpu2 = cpuSeconds();
        String downMd5 = HexFormat.of().formatHex(md5.digest());
        if (got != size || !downMd5.equals(up[0])) {
            throw new IllegalStateException("download: " + got + " bytes, md5 " + downMd5 + "; uploaded md5 " + up[0]);
        }

        long offset = size / 3 + 12345; // not aligned to a word or a part
        long length = Math.min(RANGE_LENGTH, size - offset);
        long t4 = System.nanoTime();
        byte[] range;
        try (InputStream in = ops.getRange(bucket, key, offset, length)) {
            range = in.readAllBytes();
        }
        long t5 = System.nanoTime();
        byte[] want = new RandomBytes(seed, offset, length).readAllBytes();
        boolean rangeOk = java.util.Arrays.equals(range, want);
        long downHwm = vmHwmKiB();
        ops.deleteObject(bucket, key);

        double ups = (t1 - t0) / 1e9, downs = (t3 - t2) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "RESULT client=%s size=%d threads=%d up_s=%.2f up_MBps=%.1f down_s=%.2f down_MBps=%.1f range_ms=%.0f"
                        + " range_ok=%s md5_ok=true up_hwm_MiB=%.1f down_hwm_MiB=%.1f cpu_up_s=%.2f cpu_down_s=%.2f"
                        + " cpu_total_s=%.2f complete_etag=\"%s\" head_etag=\"%s\"",
                client, size, threads, ups, size / 1e6 / ups, downs, size / 1e6 / downs, (t5 - t4) / 1e6, rangeOk,
                upHwm / 1024.0, downHwm / 1024.0, cpu1 - cpu0, cpu2 - cpu1, cpuSeconds(), quotes(up[2]), quotes(head.etag())));
        if (!rangeOk) System.exit(3);
    }

    /** An ETag as the client returns it, its double quotes (if it keeps them) shown as single ones. */
    private static String quotes(String etag) {
        return etag == null || "null".equals(etag) ? "(null)" : etag.isEmpty() ? "(empty)" : etag.replace('"', '\'');
    }

    /** An upload whose source fails after 2.5 parts: must end with the upload aborted (no upload left). */
    static void abortCheck(String client, S3Ops ops, String bucket, String key, int threads) throws Exception {
        InputStream failing = new InputStream() {
            final RandomBytes src = new RandomBytes(7, 0, Long.MAX_VALUE / 2);
            long left = PART_SIZE * 5L / 2;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) throw new IOException("the image's source broke (on purpose)");
                int n = src.read(b, off, (int) Math.min(len, left));
                left -= n;
                return n;
            }
        };
        String failure = "none";
        try {
            upload(ops, bucket, key, failing, threads);
        } catch (IOException expected) {
            failure = expected.getMessage();
        }
        List<S3Ops.Upload> left = ops.listUploads(bucket).stream().filter(u -> u.key().equals(key)).toList();
        boolean objectThere = ops.listKeys(bucket).contains(key);
        // and the call itself: a fresh upload with one part, aborted; its uploadId must then be gone
        String id = ops.createMultipart(bucket, key);
        ops.uploadPart(bucket, key, id, 1, new byte[1024], 1024);
        ops.abortMultipart(bucket, key, id);
        String after;
        try {
            ops.uploadPart(bucket, key, id, 2, new byte[1024], 1024);
            after = "part-accepted";
        } catch (Exception e) {
            after = "part-refused:" + e.getClass().getSimpleName();
        }
        boolean ok = !"none".equals(failure) && left.isEmpty() && !objectThere && after.startsWith("part-refused");
        System.out.println("ABORT client=" + client + " abort_works=" + (ok ? "yes" : "no") + " failure=\"" + failure
                + "\" uploads_left=" + left.size() + " object_created=" + objectThere + " after_abort=" + after);
    }

    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static long vmHwmKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /** Resets VmHWM to the current RSS (Linux, clear_refs 5), so the download's peak is its own. */
    static void resetHwm() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            // not allowed here: the download's peak then includes the upload's
        }
    }
}
