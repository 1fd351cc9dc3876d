package org.ferry.catalog;

import org.ferry.json.Jackson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Images, their properties, tags and locations in the catalog. */
public final class ImageRepository {
    /** Properties only the import lock protocol may write; a normal save leaves them alone. */
    public static final Set<String> ATOMIC_PROPERTIES = Set.of("os_glance_import_task");

    private static final String COLUMNS = "id, name, status, visibility, protected, os_hidden, owner, checksum, "
            + "os_hash_algo, os_hash_value, size, virtual_size, disk_format, container_format, min_disk, min_ram, "
            + "created_at, updated_at";
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private final Jdbi jdbi;

    public ImageRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    static LocalDateTime utc(Instant i) {
        return i == null ? null : LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        LocalDateTime t = rs.getObject(col, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    public void create(Image img) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO images (" + COLUMNS + ") VALUES (:id, :name, :status, :visibility, :protected, "
                            + ":os_hidden, :owner, :checksum, :os_hash_algo, :os_hash_value, :size, :virtual_size, "
                            + ":disk_format, :container_format, :min_disk, :min_ram, :created_at, :updated_at)")
                    .bindMap(row(img)).execute();
            for (var p : img.properties.entrySet()) {
                insertProperty(h, img.id, p.getKey(), p.getValue());
            }
            for (String t : img.tags) {
                h.execute("INSERT INTO image_tags (image_id, value) VALUES (?, ?)", img.id, t);
            }
        });
    }

    public boolean exists(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM images WHERE id = ?").bind(0, id)
                .mapTo(Integer.class).one() > 0);
    }

    public Optional<Image> find(String id) {
        return find(id, null);
    }

    /**
     * An image with its properties, tags and locations in two queries; with a caller project, also that project's
     * membership of the image ({@link Image#callerMemberStatus}), which visibility and policy checks need.
     */
    public Optional<Image> find(String id, String callerProject) {
        return jdbi.withHandle(h -> {
            List<Image> found = h.createQuery("SELECT " + COLUMNS + " FROM images WHERE id = :id AND deleted = FALSE")
                    .bind("id", id).map((rs, ctx) -> image(rs)).list();
            if (found.isEmpty()) {
                return Optional.<Image>empty();
            }
            fill(h, found, callerProject);
            return Optional.of(found.get(0));
        });
    }

    /**
     * The core fields of an image, deleted or not (no properties, tags or locations): a list marker, which an admin
     * may name after the image was deleted (Glance's {@code context.can_see_deleted}).
     */
    public Optional<Image> findWithDeleted(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM images WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> image(rs)).findOne());
    }

    /**
     * Writes the image's core fields, properties and tags. With {@code expectedStatus} the write happens only if the
     * stored status still is that value, which makes status transitions safe against concurrent requests.
     *
     * @return false if the image is gone or its status was not {@code expectedStatus}
     */
    public boolean save(Image img, ImageStatus expectedStatus) {
        img.updatedAt = now();
        return jdbi.inTransaction(h -> {
            String sql = "UPDATE images SET name = :name, status = :status, visibility = :visibility, "
                    + "protected = :protected, os_hidden = :os_hidden, owner = :owner, checksum = :checksum, "
                    + "os_hash_algo = :os_hash_algo, os_hash_value = :os_hash_value, size = :size, "
                    + "virtual_size = :virtual_size, disk_format = :disk_format, container_format = :container_format, "
                    + "min_disk = :min_disk, min_ram = :min_ram, updated_at = :updated_at "
                    + "WHERE id = :id AND deleted = FALSE" + (expectedStatus == null ? "" : " AND status = :expected");
            var update = h.createUpdate(sql).bindMap(row(img));
            if (expectedStatus != null) {
                update.bind("expected", expectedStatus.wire());
            }
            if (update.execute() == 0) {
                return false;
            }
            Map<String, String> stored = properties(h, List.of(img.id)).getOrDefault(img.id, Map.of());
            for (var e : stored.entrySet()) {
                if (ATOMIC_PROPERTIES.contains(e.getKey())) {
                    continue;
                }
                String now = img.properties.get(e.getKey());
                if (now == null) {
                    h.execute("DELETE FROM image_properties WHERE image_id = ? AND name = ?", img.id, e.getKey());
                } else if (!now.equals(e.getValue())) {
                    h.execute("UPDATE image_properties SET value = ? WHERE image_id = ? AND name = ?", now, img.id, e.getKey());
                }
            }
            for (var e : img.properties.entrySet()) {
                if (!stored.containsKey(e.getKey()) && !ATOMIC_PROPERTIES.contains(e.getKey())) {
                    insertProperty(h, img.id, e.getKey(), e.getValue());
                }
            }
            List<String> storedTags = h.createQuery("SELECT value FROM image_tags WHERE image_id = ?").bind(0, img.id)
                    .mapTo(String.class).list();
            for (String t : storedTags) {
                if (!img.tags.contains(t)) {
                    h.execute("DELETE FROM image_tags WHERE image_id = ? AND value = ?", img.id, t);
                }
            }
            for (String t : img.tags) {
                if (!storedTags.contains(t)) {
                    h.execute("INSERT INTO image_tags (image_id, value) VALUES (?, ?)", img.id, t);
                }
            }
            return true;
        });
    }

    private static void insertProperty(Handle h, String imageId, String name, String value) {
        h.execute("INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?)", imageId, name, value);
    }

    /** Atomic insert-if-absent of one property (the import lock). */
    public boolean setPropertyIfAbsent(String imageId, String name, String value) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO image_properties (image_id, name, value) "
                        + "VALUES (:i, :n, :v) ON CONFLICT DO NOTHING")
                .bind("i", imageId).bind("n", name).bind("v", value).execute() == 1);
    }

    /** Atomic delete of one property, only while it still holds {@code value}. */
    public boolean deletePropertyIfValue(String imageId, String name, String value) {
        return jdbi.withHandle(h -> h.execute(
                "DELETE FROM image_properties WHERE image_id = ? AND name = ? AND value = ?", imageId, name, value) == 1);
    }

    public Location addLocation(String imageId, String url, Map<String, Object> metadata, String storeId, String status) {
        return jdbi.inTransaction(h -> {
            int pos = h.createQuery("SELECT COALESCE(MAX(position), -1) + 1 FROM image_locations WHERE image_id = ?")
                    .bind(0, imageId).mapTo(Integer.class).one();
            long id = h.createUpdate("INSERT INTO image_locations (image_id, position, url, metadata, store_id, status, "
                            + "created_at) VALUES (:i, :p, :u, :m, :s, :st, :c)")
                    .bind("i", imageId).bind("p", pos).bind("u", url).bind("m", json(metadata)).bind("s", storeId)
                    .bind("st", status).bind("c", utc(now()))
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return new Location(id, url, metadata, storeId, status);
        });
    }

    public void removeLocation(long locationId) {
        jdbi.useHandle(h -> h.execute("DELETE FROM image_locations WHERE id = ?", locationId));
    }

    /** Marks the image deleted; its rows stay for the record, as Glance's soft delete. */
    public boolean softDelete(String imageId) {
        Instant now = now();
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE images SET status = 'deleted', deleted = TRUE, deleted_at = :t, updated_at = :t "
                    + "WHERE id = :id AND deleted = FALSE").bind("t", utc(now)).bind("id", imageId).execute();
            h.execute("DELETE FROM image_locations WHERE image_id = ?", imageId);
            return n == 1;
        });
    }

    /** The member status of a project on an image, if it is a member. */
    public Optional<String> memberStatus(String imageId, String project) {
        if (project == null) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT status FROM image_members WHERE image_id = ? AND member = ?")
                .bind(0, imageId).bind(1, project).mapTo(String.class).findOne());
    }

    /** One page of GET /v2/images: the image rows in one query, then their properties, tags and locations. */
    public List<Image> list(ImageListQuery q) {
        ImageQuerySql sql = ImageQuerySql.build(q);
        return jdbi.withHandle(h -> {
            Query query = h.createQuery(sql.sql());
            sql.params().forEach(query::bind);
            List<Image> images = query.map((rs, ctx) -> image(rs)).list();
            fill(h, images, q.callerProject());
            return images;
        });
    }

    /** Properties, tags, locations (and the caller's memberships) of several images in one query. */
    private void fill(Handle h, List<Image> images, String callerProject) {
        if (images.isEmpty()) {
            return;
        }
        List<String> ids = images.stream().map(i -> i.id).toList();
        Map<String, Image> byId = images.stream().collect(Collectors.toMap(i -> i.id, Function.identity()));
        for (Image i : images) {
            i.loadedFor = callerProject;
        }
        String sql = "SELECT 'p' AS kind, image_id, name AS a, value AS b, CAST(NULL AS VARCHAR(255)) AS c, "
                + "CAST(NULL AS VARCHAR(30)) AS d, 0 AS pos, CAST(0 AS BIGINT) AS lid "
                + "FROM image_properties WHERE image_id IN (<ids>) "
                + "UNION ALL SELECT 't', image_id, value, NULL, NULL, NULL, 0, 0 FROM image_tags WHERE image_id IN (<ids>) "
                + "UNION ALL SELECT 'l', image_id, url, metadata, store_id, status, position, id "
                + "FROM image_locations WHERE image_id IN (<ids>) "
                + (callerProject == null ? "" : "UNION ALL SELECT 'm', image_id, status, NULL, NULL, NULL, 0, 0 "
                + "FROM image_members WHERE member = :caller AND image_id IN (<ids>) ")
                + "ORDER BY kind, image_id, pos, a";
        var q = h.createQuery(sql).bindList("ids", ids);
        if (callerProject != null) {
            q.bind("caller", callerProject);
        }
        q.map((rs, ctx) -> {
            Image img = byId.get(rs.getString("image_id"));
            switch (rs.getString("kind")) {
                case "p" -> img.properties.put(rs.getString("a"), rs.getString("b"));
                case "t" -> img.tags.add(rs.getString("a"));
                case "l" -> img.locations.add(new Location(rs.getLong("lid"), rs.getString("a"),
                        parseJson(rs.getString("b")), rs.getString("c"), rs.getString("d")));
                default -> img.callerMemberStatus = rs.getString("a");
            }
            return img;
        }).list();
    }

    private static Map<String, Map<String, String>> properties(Handle h, List<String> ids) {
        Map<String, Map<String, String>> out = new HashMap<>();
        h.createQuery("SELECT image_id, name, value FROM image_properties WHERE image_id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                .forEach(r -> out.computeIfAbsent(r[0], k -> new LinkedHashMap<>()).put(r[1], r[2]));
        return out;
    }

    private static Image image(ResultSet rs) throws SQLException {
        Image i = new Image();
        i.id = rs.getString("id");
        i.name = rs.getString("name");
        i.status = ImageStatus.fromWire(rs.getString("status"));
        i.visibility = rs.getString("visibility");
        i.isProtected = rs.getBoolean("protected");
        i.osHidden = rs.getBoolean("os_hidden");
        i.owner = rs.getString("owner");
        i.checksum = rs.getString("checksum");
        i.osHashAlgo = rs.getString("os_hash_algo");
        i.osHashValue = rs.getString("os_hash_value");
        i.size = rs.getObject("size", Long.class);
        i.virtualSize = rs.getObject("virtual_size", Long.class);
        i.diskFormat = rs.getString("disk_format");
        i.containerFormat = rs.getString("container_format");
        i.minDisk = rs.getInt("min_disk");
        i.minRam = rs.getInt("min_ram");
        i.createdAt = instant(rs, "created_at");
        i.updatedAt = instant(rs, "updated_at");
        return i;
    }

    private static Map<String, Object> row(Image i) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", i.id);
        m.put("name", i.name);
        m.put("status", i.status.wire());
        m.put("visibility", i.visibility);
        m.put("protected", i.isProtected);
        m.put("os_hidden", i.osHidden);
        m.put("owner", i.owner);
        m.put("checksum", i.checksum);
        m.put("os_hash_algo", i.osHashAlgo);
        m.put("os_hash_value", i.osHashValue);
        m.put("size", i.size);
        m.put("virtual_size", i.virtualSize);
        m.put("disk_format", i.diskFormat);
        m.put("container_format", i.containerFormat);
        m.put("min_disk", i.minDisk);
        m.put("min_ram", i.minRam);
        m.put("created_at", utc(i.createdAt));
        m.put("updated_at", utc(i.updatedAt));
        return m;
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Map<String, Object> parseJson(String s) {
        try {
            return s == null ? Map.of() : JSON.readValue(s, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON in catalog: " + s, e);
        }
    }
}
