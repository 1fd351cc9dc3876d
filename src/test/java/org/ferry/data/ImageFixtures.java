package org.ferry.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Location;
import org.ferry.catalog.TaskRepository;
import org.ferry.testing.TestFerry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared steps of the data-path tests: images in a running {@link TestFerry}, digests, store directories. */
public final class ImageFixtures {
    public static final String FORMATS = "{\"disk_format\":\"raw\",\"container_format\":\"bare\"}";

    private ImageFixtures() {
    }

    /** No-auth identity headers: a user of {@code project} with the comma-separated {@code roles}. */
    public static String[] as(String project, String roles, String... more) {
        return concat(new String[] {"X-Project-Id", project, "X-User-Id", project + "-user", "X-Roles", roles}, more);
    }

    /** Header pairs followed by more header pairs. */
    public static String[] concat(String[] headers, String... more) {
        String[] all = Arrays.copyOf(headers, headers.length + more.length);
        System.arraycopy(more, 0, all, headers.length, more.length);
        return all;
    }

    /** Creates an image with raw/bare formats; returns its id. */
    public static String create(TestFerry f, String... headers) {
        return createWith(f, FORMATS, headers);
    }

    /** Creates an image from a JSON body; returns its id. */
    public static String createWith(TestFerry f, String json, String... headers) {
        var r = f.postJson("/v2/images", json, headers);
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    /** Creates an image and uploads {@code data}; returns its id. */
    public static String uploaded(TestFerry f, byte[] data, String... headers) {
        String id = create(f, headers);
        var r = f.putData("/v2/images/" + id + "/file", data, headers);
        assertEquals(204, r.status(), r.text());
        return id;
    }

    public static JsonNode show(TestFerry f, String id) {
        var r = f.get("/v2/images/" + id);
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    public static String status(TestFerry f, String id) {
        return show(f, id).get("status").asText();
    }

    /** {@code n} pseudo-random bytes, the same for the same {@code n}. */
    /**
     * Waits (60 s at most) until an import of the image has ended (its lock is gone) with the image in exactly the
     * given stores (comma-separated, any order), and returns the image.
     */
    public static JsonNode awaitImport(TestFerry f, String id, String stores) {
        List<String> expected = Arrays.stream(stores.split(",")).sorted().toList();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode img = show(f, id);
            return !img.has("os_glance_import_task") && expected.equals(Arrays.stream(
                    img.path("stores").asText().split(",")).sorted().toList());
        });
        return show(f, id);
    }

    public static byte[] random(int n) {
        return random(n, n * 31L + 7);
    }

    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String md5(byte[] data) {
        return hex("MD5", data);
    }

    public static String sha512(byte[] data) {
        return hex("SHA-512", data);
    }

    private static String hex(String algo, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path storeDir(TestFerry f, String store) {
        return f.dir().resolve(store);
    }

    /** Every file name in a directory, hidden ones included; empty when the directory does not exist. */
    public static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files of a directory that belong to an image (its data, temporary parts, sidecars) or are unfinished writes. */
    public static List<String> traces(Path dir, String imageId) {
        return files(dir).stream().filter(n -> n.contains(imageId) || n.endsWith(".part") || n.endsWith(".tmp"))
                .toList();
    }

    public static ImageRepository repository(TestFerry f) {
        return new ImageRepository(f.ferry().database().jdbi());
    }

    public static TaskRepository taskRepository(TestFerry f) {
        return new TaskRepository(f.ferry().database().jdbi());
    }

    /**
     * Gives an uploaded image a second copy in {@code toStore} directly (the file beside the others and a location
     * row), so tests of the data path do not depend on the import flow.
     */
    public static void addCopy(TestFerry f, String imageId, String fromStore, String toStore) {
        try {
            Path target = storeDir(f, toStore).resolve(imageId);
            Files.createDirectories(target.getParent());
            Files.copy(storeDir(f, fromStore).resolve(imageId), target);
            repository(f).addLocation(imageId, "file://" + target, Map.of("store", toStore), toStore, Location.ACTIVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a PUT with a raw socket announcing {@code contentLength} bytes, sends {@code sendBytes}, waits until the
     * server shows the image in {@code busyStatus} (so the handler is reading the body), then resets the connection.
     */
    public static void abortedPut(TestFerry f, String path, String imageId, long contentLength, int sendBytes,
                                  String busyStatus) {
        URI u = URI.create(f.url());
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + contentLength + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(sendBytes));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> busyStatus.equals(status(f, imageId)));
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
