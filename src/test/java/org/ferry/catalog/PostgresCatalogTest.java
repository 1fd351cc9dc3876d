package org.ferry.catalog;

import org.ferry.testing.DatabaseContract;
import org.ferry.testing.TestFerry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

import static org.ferry.testing.TestDatabases.dropSchema;
import static org.ferry.testing.TestDatabases.freshSchema;
import static org.ferry.testing.TestDatabases.postgresUrl;
import static org.ferry.testing.TestDatabases.uniqueSchema;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The catalog (Flyway migrations, ImageRepository, TaskRepository) against both databases Ferry supports: the same
 * assertions run on embedded H2 and on PostgreSQL. The PostgreSQL variant needs {@code FERRY_TEST_PG_URL} (set by
 * scripts/test.sh, which starts a private PostgreSQL); each run works in a schema of its own, dropped afterwards.
 */
class PostgresCatalogTest {
    @Nested
    @DisplayName("on H2")
    class OnH2 extends CatalogContract {
        @Override
        protected Database openDatabase() {
            // lives as long as the pool holds a connection to it
            return Database.open("jdbc:h2:mem:catalog-" + UUID.randomUUID(), 4);
        }

        @Override
        protected void dropDatabase() {
        }
    }

    @Nested
    @DisplayName("on PostgreSQL")
    class OnPostgres extends CatalogContract {
        private String baseUrl;
        private String schema;

        @Override
        protected Database openDatabase() throws SQLException {
            baseUrl = postgresUrl();
            schema = uniqueSchema("ferry_test_");
            Database d = Database.open(freshSchema(baseUrl, schema), 4);
            assertTrue(d.isPostgres());
            return d;
        }

        @Override
        protected void dropDatabase() throws SQLException {
            dropSchema(baseUrl, schema);
        }

        @Test
        void migrationsCreatedTheTablesInTheRunsOwnSchema() {
            List<String> tables = db.jdbi().withHandle(h -> h.createQuery("SELECT table_name FROM "
                    + "information_schema.tables WHERE table_schema = :s ORDER BY table_name")
                    .bind("s", schema).mapTo(String.class).list());
            assertTrue(tables.containsAll(List.of("flyway_schema_history", "image_locations", "image_members",
                    "image_properties", "image_tags", "images", "tasks")), tables.toString());
        }

        @Test
        void aWholeFerryRunsOnPostgres(@TempDir Path dir) throws Exception {
            String ferrySchema = uniqueSchema("ferry_test_");
            String url = freshSchema(baseUrl, ferrySchema);
            try {
                Map<String, Map<String, String>> conf = TestFerry.defaults(dir);
                TestFerry.section(conf, "database").put("connection", url);
                try (TestFerry ferry = TestFerry.start(dir, conf)) {
                    assertTrue(ferry.ferry().database().isPostgres());
                    var created = ferry.postJson("/v2/images", "{\"name\":\"on-postgres\",\"disk_format\":\"raw\","
                            + "\"container_format\":\"bare\"}");
                    assertEquals(201, created.status(), created.text());
                    String id = created.json().get("id").asText();

                    byte[] data = new byte[3 * 1024 * 1024 + 17];
                    new Random(42).nextBytes(data);
                    var up = ferry.putData("/v2/images/" + id + "/file", data);
                    assertEquals(204, up.status(), up.text());

                    var shown = ferry.get("/v2/images/" + id).json();
                    assertEquals("active", shown.get("status").asText());
                    assertEquals(data.length, shown.get("size").asLong());
                    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)),
                            shown.get("checksum").asText());
                    assertEquals("fast", shown.get("stores").asText());

                    var down = ferry.get("/v2/images/" + id + "/file");
                    assertEquals(200, down.status());
                    assertArrayEquals(data, down.body());
                }
                // the rows are in PostgreSQL, in this Ferry's schema
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT status FROM images WHERE name = 'on-postgres'")) {
                    assertTrue(rs.next());
                    assertEquals("active", rs.getString(1));
                }
            } finally {
                dropSchema(baseUrl, ferrySchema);
            }
        }
    }

    /** What both databases must do the same way. */
    abstract static class CatalogContract extends DatabaseContract {
        ImageRepository images;
        TaskRepository tasks;

        @Override
        protected void opened(Database database) {
            images = new ImageRepository(database.jdbi());
            tasks = new TaskRepository(database.jdbi());
        }

        static Image newImage(String owner, String name, Long size, Instant createdAt) {
            Image i = new Image();
            i.id = UUID.randomUUID().toString();
            i.name = name;
            i.owner = owner;
            i.size = size;
            i.diskFormat = "raw";
            i.containerFormat = "bare";
            i.createdAt = createdAt;
            i.updatedAt = createdAt;
            return i;
        }

        static String owner() {
            return "project-" + UUID.randomUUID();
        }

        static ImageListQuery ownedBy(String owner, List<ImageListQuery.SortKey> sort, Image marker, int limit) {
            return new ImageListQuery(owner, true, null, "all", false, Map.of("owner", List.of(owner)), Map.of(),
                    List.of(), null, null, List.of(), null, sort, marker, limit);
        }

        @Test
        void flywayMigrationsApplied() {
            List<Map<String, Object>> history = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")
                    .mapToMap().list());
            assertFalse(history.isEmpty(), "no migration recorded");
            assertEquals("1", String.valueOf(history.get(0).get("version")));
            history.forEach(row -> assertEquals(Boolean.TRUE, row.get("success"), "failed migration: " + row));
            var flyway = Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load();
            assertEquals(0, flyway.info().pending().length, "migrations left to apply");
            assertEquals(history.size(), flyway.info().applied().length);
        }

        @Test
        void createFindAndSaveWithExpectedStatus() {
            Instant t = ImageRepository.now();
            Image img = newImage(owner(), "cirros", null, t);
            img.properties.put("os_distro", "cirros");
            img.properties.put("hw_disk_bus", "virtio");
            img.tags.add("one");
            img.tags.add("two");
            images.create(img);

            Image found = images.find(img.id).orElseThrow();
            assertEquals("cirros", found.name);
            assertEquals("queued", found.status.wire());
            assertEquals(img.owner, found.owner);
            assertEquals(t, found.createdAt);
            assertEquals(null, found.size);
            assertEquals(Map.of("os_distro", "cirros", "hw_disk_bus", "virtio"), found.properties);
            assertEquals(List.of("one", "two"), List.copyOf(found.tags));
            assertTrue(images.exists(img.id));
            assertTrue(images.find(UUID.randomUUID().toString()).isEmpty());

            Image saving = found.copy();
            saving.status = ImageStatus.SAVING;
            saving.properties.remove("hw_disk_bus");
            saving.properties.put("os_distro", "debian");
            saving.properties.put("architecture", "x86_64");
            saving.tags.remove("one");
            saving.tags.add("three");
            assertTrue(images.save(saving, ImageStatus.QUEUED));

            Image stale = found.copy();
            stale.status = ImageStatus.ACTIVE;
            assertFalse(images.save(stale, ImageStatus.QUEUED), "a save expecting a status that changed must fail");

            Image again = images.find(img.id).orElseThrow();
            assertEquals(ImageStatus.SAVING, again.status);
            assertEquals(Map.of("os_distro", "debian", "architecture", "x86_64"), again.properties);
            assertEquals(List.of("three", "two"), List.copyOf(again.tags));
            assertTrue(again.updatedAt.compareTo(t) >= 0);

            again.status = ImageStatus.ACTIVE;
            again.size = 1234L;
            again.checksum = "0123456789abcdef0123456789abcdef";
            assertTrue(images.save(again, null), "a save without expected status is unconditional");
            Image active = images.find(img.id).orElseThrow();
            assertEquals(ImageStatus.ACTIVE, active.status);
            assertEquals(1234L, active.size);
            assertEquals("0123456789abcdef0123456789abcdef", active.checksum);
        }

        @Test
        void atomicPropertiesAreInsertIfAbsentAndDeleteIfValue() {
            Image img = newImage(owner(), "locked", null, ImageRepository.now());
            images.create(img);
            String lock = "os_glance_import_task";

            assertTrue(images.setPropertyIfAbsent(img.id, lock, "task-1"));
            assertFalse(images.setPropertyIfAbsent(img.id, lock, "task-2"), "a second insert must not win");
            assertEquals("task-1", images.find(img.id).orElseThrow().properties.get(lock));

            // a normal save neither removes nor rewrites the lock
            Image edited = images.find(img.id).orElseThrow();
            edited.properties.remove(lock);
            edited.properties.put("note", "x");
            assertTrue(images.save(edited, ImageStatus.QUEUED));
            assertEquals("task-1", images.find(img.id).orElseThrow().properties.get(lock));

            assertFalse(images.deletePropertyIfValue(img.id, lock, "task-2"), "deleted although the value differs");
            assertTrue(images.deletePropertyIfValue(img.id, lock, "task-1"));
            assertFalse(images.deletePropertyIfValue(img.id, lock, "task-1"), "deleted twice");
            assertFalse(images.find(img.id).orElseThrow().properties.containsKey(lock));
            assertTrue(images.setPropertyIfAbsent(img.id, lock, "task-2"), "free again after the delete");
        }

        @Test
        void locationsKeepTheirOrderAndMetadata() {
            Image img = newImage(owner(), "located", 10L, ImageRepository.now());
            images.create(img);
            Location a = images.addLocation(img.id, "file:///a/" + img.id, Map.of("store", "fast", "n", 1), "fast",
                    Location.ACTIVE);
            Location b = images.addLocation(img.id, "file:///b/" + img.id, Map.of(), "cheap", Location.ACTIVE);
            Location c = images.addLocation(img.id, "file:///c/" + img.id, Map.of(), "cheap", "pending");
            assertNotEquals(a.id(), b.id());

            Image found = images.find(img.id).orElseThrow();
            assertEquals(List.of(a.url(), b.url(), c.url()), found.locations.stream().map(Location::url).toList());
            assertEquals(Map.of("store", "fast", "n", 1), found.locations.get(0).metadata());
            assertEquals(List.of("cheap", "fast"), found.storeIds());

            images.removeLocation(a.id());
            found = images.find(img.id).orElseThrow();
            assertEquals(List.of(b.url(), c.url()), found.locations.stream().map(Location::url).toList());
            assertEquals(List.of("cheap"), found.storeIds());

            // a location added after a removal goes last
            Location d = images.addLocation(img.id, "file:///d/" + img.id, Map.of(), "fast", Location.ACTIVE);
            assertEquals(d.url(), images.find(img.id).orElseThrow().locations.get(2).url());
        }

        @Test
        void listSortsByNullableColumnsAndPagesThroughEveryRowWithTheMarker() {
            String owner = owner();
            Instant t0 = ImageRepository.now().minus(1, ChronoUnit.HOURS);
            Instant t1 = t0.plusSeconds(1);
            // duplicates of size and created_at so that the tie-breakers (created_at, then id) matter, and NULLs
            Long[] sizes = {5L, null, 3L, 5L, null, 1L, 3L, 5L, null, 7L, 3L};
            String[] names = {"b", null, "a", "c", "a", "b", null, "a", "d", "c", null};
            List<Image> all = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                Image img = newImage(owner, names[i], sizes[i], i % 3 == 0 ? t0 : t1.plusNanos(i * 1000L));
                images.create(img);
                all.add(img);
            }
            // another project's image stays out of the list
            images.create(newImage(owner(), "other", 4L, t0));

            for (var sort : List.of(
                    List.of(new ImageListQuery.SortKey("size", true)),
                    List.of(new ImageListQuery.SortKey("size", false)),
                    List.of(new ImageListQuery.SortKey("name", true), new ImageListQuery.SortKey("size", false)),
                    List.of(new ImageListQuery.SortKey("name", false)),
                    List.<ImageListQuery.SortKey>of())) {
                List<String> expected = all.stream().sorted(order(sort)).map(i -> i.id).toList();

                List<String> oneQuery = images.list(ownedBy(owner, sort, null, 100)).stream().map(i -> i.id).toList();
                assertEquals(expected, oneQuery, "order for sort " + sort);

                for (int pageSize : new int[] {1, 2, 4}) {
                    List<String> paged = new ArrayList<>();
                    Image marker = null;
                    for (int pages = 0; pages <= all.size(); pages++) {
                        List<Image> page = images.list(ownedBy(owner, sort, marker, pageSize));
                        page.forEach(i -> paged.add(i.id));
                        if (page.size() < pageSize) {
                            break;
                        }
                        marker = images.find(page.get(page.size() - 1).id).orElseThrow();
                    }
                    assertEquals(expected, paged, "keyset paging by " + pageSize + " with sort " + sort);
                }
            }

            assertTrue(images.softDelete(all.get(0).id));
            List<String> remaining = images.list(ownedBy(owner, List.of(), null, 100)).stream().map(i -> i.id).toList();
            assertEquals(all.size() - 1, remaining.size());
            assertFalse(remaining.contains(all.get(0).id));
        }

        /**
         * The order Ferry promises: the requested keys, then created_at and id in the direction of the last key
         * (descending when none), NULLs as the largest value.
         */
        static Comparator<Image> order(List<ImageListQuery.SortKey> sort) {
            List<ImageListQuery.SortKey> keys = new ArrayList<>(sort);
            boolean lastAsc = !keys.isEmpty() && keys.get(keys.size() - 1).ascending();
            if (keys.stream().noneMatch(k -> k.column().equals("created_at"))) {
                keys.add(new ImageListQuery.SortKey("created_at", lastAsc));
            }
            if (keys.stream().noneMatch(k -> k.column().equals("id"))) {
                keys.add(new ImageListQuery.SortKey("id", lastAsc));
            }
            Comparator<Image> c = null;
            for (var k : keys) {
                Comparator<Image> one = switch (k.column()) {
                    case "size" -> nullsHigh(i -> i.size);
                    case "name" -> nullsHigh(i -> i.name);
                    case "created_at" -> nullsHigh(i -> i.createdAt);
                    case "id" -> nullsHigh(i -> i.id);
                    default -> throw new IllegalArgumentException(k.column());
                };
                one = k.ascending() ? one : one.reversed();
                c = c == null ? one : c.thenComparing(one);
            }
            return c;
        }

        static <T extends Comparable<? super T>> Comparator<Image> nullsHigh(Function<Image, T> key) {
            return Comparator.comparing(key, Comparator.nullsLast(Comparator.<T>naturalOrder()));
        }

        @Test
        void softDeleteHidesTheImageButKeepsTheRow() {
            Image img = newImage(owner(), "doomed", 1L, ImageRepository.now());
            images.create(img);
            images.addLocation(img.id, "file:///x/" + img.id, Map.of(), "fast", Location.ACTIVE);

            assertTrue(images.softDelete(img.id));
            assertTrue(images.find(img.id).isEmpty());
            assertTrue(images.exists(img.id), "soft delete keeps the row");
            assertFalse(images.softDelete(img.id), "already deleted");
            assertFalse(images.save(img, null), "a deleted image cannot be saved");
            String status = db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM images WHERE id = ?")
                    .bind(0, img.id).mapTo(String.class).one());
            assertEquals("deleted", status);
            int locations = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM image_locations WHERE image_id = ?").bind(0, img.id).mapTo(Integer.class).one());
            assertEquals(0, locations);
        }

        @Test
        void tasksMoveOnlyFromTheStatusTheyAreIn() {
            Instant t = ImageRepository.now();
            String imageId = UUID.randomUUID().toString();
            Task task = new Task(UUID.randomUUID().toString(), "api_image_import", Task.PENDING, "demo", imageId,
                    "req-" + UUID.randomUUID(), "demo-user", "{\"import_req\":{\"method\":{\"name\":\"glance-direct\"}}}",
                    null, "", null, t, t);
            tasks.create(task);
            assertEquals(task, tasks.find(task.id()).orElseThrow());
            assertTrue(tasks.find(UUID.randomUUID().toString()).isEmpty());

            assertTrue(tasks.moveStatus(task.id(), Task.PENDING, Task.PROCESSING));
            assertFalse(tasks.moveStatus(task.id(), Task.PENDING, Task.PROCESSING), "moved from a status it was not in");
            tasks.updateMessage(task.id(), "copied 50%");
            Task running = tasks.find(task.id()).orElseThrow();
            assertEquals(Task.PROCESSING, running.status());
            assertEquals("copied 50%", running.message());
            assertFalse(running.finished());

            Instant expires = t.plus(48, ChronoUnit.HOURS);
            assertTrue(tasks.finish(task.id(), Task.SUCCESS, "{\"image_id\":\"" + imageId + "\"}", "", expires));
            assertFalse(tasks.finish(task.id(), Task.FAILURE, null, "too late", expires), "finished twice");
            assertFalse(tasks.moveStatus(task.id(), Task.PROCESSING, Task.PENDING), "moved although finished");
            tasks.updateMessage(task.id(), "ignored once finished");

            Task done = tasks.find(task.id()).orElseThrow();
            assertEquals(Task.SUCCESS, done.status());
            assertTrue(done.finished());
            assertEquals("{\"image_id\":\"" + imageId + "\"}", done.result());
            assertEquals("", done.message());
            assertEquals(expires, done.expiresAt());

            assertEquals(List.of(task.id()), tasks.forImage(imageId, t).stream().map(Task::id).toList());
            assertEquals(List.of(), tasks.forImage(imageId, expires.plusSeconds(1)), "expired tasks are not listed");
        }
    }
}
