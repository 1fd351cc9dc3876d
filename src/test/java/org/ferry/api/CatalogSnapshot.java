package org.ferry.api;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything a request could change, as text: every row of the catalog tables (images with their properties, tags,
 * locations, members, checksums; tasks; replication) and every file under the store and staging directories with
 * its size and SHA-256. Two snapshots are equal when nothing changed.
 */
record CatalogSnapshot(TreeMap<String, List<String>> tables, TreeMap<String, String> files) {
    private static final List<String> TABLES = List.of("images", "image_properties", "image_tags", "image_locations",
            "image_members", "tasks", "replication_jobs", "replication_runs", "replication_run_images",
            "replication_images");

    static CatalogSnapshot take(DataSource db, List<Path> dirs) {
        TreeMap<String, List<String>> tables = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + t)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            if (t.equals("images") && md.getColumnName(i).equalsIgnoreCase("updated_at")) {
                                // a refused upload or stage takes the image to saving/uploading and back to queued,
                                // as Glance's does, and that touches updated_at; every other column must stay
                                continue;
                            }
                            row.append(md.getColumnName(i).toLowerCase()).append('=').append(rs.getString(i)).append(' ');
                        }
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                tables.put(t, rows);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        TreeMap<String, String> files = new TreeMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    files.put(p.toString(), Files.size(p) + " " + sha256(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new CatalogSnapshot(tables, files);
    }

    /** What differs from {@code before}, one line per changed row or file; empty when nothing changed. */
    List<String> differencesFrom(CatalogSnapshot before) {
        List<String> out = new ArrayList<>();
        for (String t : TABLES) {
            List<String> was = before.tables.get(t);
            List<String> now = tables.get(t);
            was.stream().filter(r -> !now.contains(r)).forEach(r -> out.add(t + " lost: " + r));
            now.stream().filter(r -> !was.contains(r)).forEach(r -> out.add(t + " gained: " + r));
        }
        before.files.forEach((f, v) -> {
            if (!v.equals(files.get(f))) {
                out.add("file " + f + " was " + v + ", now " + files.get(f));
            }
        });
        files.keySet().stream().filter(f -> !before.files.containsKey(f)).forEach(f -> out.add("new file " + f));
        return out;
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
