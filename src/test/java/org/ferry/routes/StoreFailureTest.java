package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.ImageRepository;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.IMPORTING;
import static org.ferry.routes.RouteKit.LOCK;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.assertBackToQueued;
import static org.ferry.routes.RouteKit.assertNoTraces;
import static org.ferry.routes.RouteKit.assertStagingClean;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.failure;
import static org.ferry.routes.RouteKit.glanceDownload;
import static org.ferry.routes.RouteKit.remoteImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.staging;
import static org.ferry.routes.RouteKit.storeDir;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target store that cannot be written (its data directory replaced by a regular file after start-up; chmod does
 * not stop root): all_stores_must_succeed true and false for glance-download (no-auth mode, region from
 * [glance_download_regions]), and glance-direct's failure and retry.
 */
class StoreFailureTest {
    @TempDir
    static Path dir;
    static GlanceStub remote;
    static TestFerry ferry;
    static final List<Path> broken = new ArrayList<>();

    @BeforeAll
    static void start() {
        remote = GlanceStub.started();
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(dir);
        TestFerry.section(c, "glance_download_regions").put("RegionTwo", "http://127.0.0.1:" + remote.port());
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() {
        ferry.close();
        remote.stop();
    }

    /** Replaces a store's data directory by a regular file, so every write into it fails. */
    static void breakStore(String store) throws IOException {
        Path d = storeDir(ferry, store);
        Files.move(d, d.resolveSibling(store + ".away"));
        Files.writeString(d, "not a directory");
        broken.add(d);
    }

    @AfterEach
    void repairStores() throws IOException {
        for (Path d : broken) {
            Files.delete(d);
            Files.move(d.resolveSibling(d.getFileName() + ".away"), d);
        }
        broken.clear();
    }

    private static String remoteWith(byte[] data) {
        ObjectNode meta = remoteImage(uuid(), data);
        remote.image(meta, data);
        return meta.get("id").asText();
    }

    @Test
    void allStoresMustSucceedRevertsEveryStore() throws IOException {
        byte[] data = random(2_000_000);
        String rid = remoteWith(data);
        String id = create(ferry);
        breakStore("cheap");
        accepted(ferry, id, glanceDownload("RegionTwo", rid, "\"stores\":[\"fast\",\"cheap\"],"
                + "\"all_stores_must_succeed\":true"));
        String m = failure(ferry, id);
        assertTrue(m.contains("store cheap"), m);
        assertFalse(m.contains("store fast"), m);

        JsonNode img = assertBackToQueued(ferry, id);
        assertEquals("cheap,fast", img.get(FAILED).asText());
        assertEquals("raw", img.get("disk_format").asText());
        assertEquals("bare", img.get("container_format").asText());
        assertEquals(List.of(), new ImageRepository(ferry.ferry().database().jdbi()).find(id).orElseThrow().locations);
        // the copy that reached fast was removed again
        assertNoTraces(storeDir(ferry, "fast"), id);
        assertStagingClean(ferry, id);
        repairStores();
        assertNoTraces(storeDir(ferry, "cheap"), id);
    }

    @Test
    void allStoresNeedNotSucceedKeepsTheGoodStore() throws IOException {
        byte[] data = random(2_000_000);
        String rid = remoteWith(data);
        String id = create(ferry);
        breakStore("cheap");
        accepted(ferry, id, glanceDownload("RegionTwo", rid, "\"stores\":[\"fast\",\"cheap\"],"
                + "\"all_stores_must_succeed\":false"));
        JsonNode task = awaitTask(ferry, id, "success");
        assertEquals(id, task.get("result").get("image_id").asText());
        JsonNode img = show(ferry, id);
        assertActive(img, data, "fast");
        assertEquals("cheap", img.get(FAILED).asText());
        assertEquals("qcow2", img.get("disk_format").asText());
        assertStagingClean(ferry, id);
        assertTrue(RouteKit.files(storeDir(ferry, "fast")).contains(id));
        assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body());
    }

    @Test
    void glanceDirectFailureKeepsTheStagedDataAndCanBeRetried() throws IOException {
        byte[] data = random(1_500_000);
        String id = create(ferry);
        var staged = ferry.putData("/v2/images/" + id + "/stage", data);
        assertEquals(204, staged.status(), staged.text());
        assertEquals("uploading", show(ferry, id).get("status").asText());

        breakStore("fast");
        accepted(ferry, id, "{\"method\":{\"name\":\"glance-direct\"}}");
        String m = failure(ferry, id);
        assertTrue(m.contains("store fast"), m);
        JsonNode img = show(ferry, id);
        assertEquals("uploading", img.get("status").asText(), img.toString());
        assertFalse(img.has(LOCK), img.toString());
        assertFalse(img.has("stores"), img.toString());
        assertEquals("", img.get(IMPORTING).asText());
        assertEquals("fast", img.get(FAILED).asText());
        assertArrayEquals(data, Files.readAllBytes(staging(ferry).resolve(id)), "the staged data must be kept");
        assertEquals(List.of(), RouteKit.files(staging(ferry)).stream().filter(n -> n.endsWith(".part")).toList());

        repairStores();
        accepted(ferry, id, "{\"method\":{\"name\":\"glance-direct\"}}");
        awaitTask(ferry, id, "success");
        img = show(ferry, id);
        assertActive(img, data, "fast");
        assertEquals("", img.get(FAILED).asText());
        assertStagingClean(ferry, id);
        assertEquals(md5(data), md5(ferry.get("/v2/images/" + id + "/file").body()));
        assertEquals(2, RouteKit.tasks(ferry, id).size());
    }

    @Test
    void aStagingFileThatCannotBeDeletedDoesNotUndoACommittedImport() throws IOException {
        byte[] data = random(400_000);
        String id = create(ferry);
        assertEquals(204, ferry.putData("/v2/images/" + id + "/stage", data).status());
        // the digest sidecar becomes a non-empty directory: deleting the staged data after the commit fails
        Path sidecar = staging(ferry).resolve("." + id + ".digests");
        Files.deleteIfExists(sidecar);
        Files.createDirectories(sidecar.resolve("blocker"));
        try {
            accepted(ferry, id, "{\"method\":{\"name\":\"glance-direct\"}}");
            awaitTask(ferry, id, "success");
            JsonNode img = show(ferry, id);
            assertActive(img, data, "fast");
            assertArrayEquals(data, ferry.get("/v2/images/" + id + "/file").body());
        } finally {
            Files.deleteIfExists(sidecar.resolve("blocker"));
            Files.deleteIfExists(sidecar);
            Files.deleteIfExists(staging(ferry).resolve(id));
        }
    }
}
