package org.ferry.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the SQL of one task list page: visibility, filters, sort and the keyset condition of the marker. */
record TaskQuerySql(String sql, Map<String, Object> params) {

    static TaskQuerySql build(TaskListQuery q) {
        List<String> where = new ArrayList<>();
        Map<String, Object> p = new LinkedHashMap<>();
        where.add("t.deleted = FALSE");
        where.add("(t.expires_at IS NULL OR t.expires_at > :now)");
        p.put("now", ImageRepository.utc(q.now()));
        if (!q.admin() && q.callerProject() != null) {
            where.add("t.owner = :caller");
            p.put("caller", q.callerProject());
        }
        int n = 0;
        for (var f : q.filters().entrySet()) {
            if (!TaskListQuery.FILTER_COLUMNS.contains(f.getKey())) {
                throw new IllegalArgumentException("not a task filter column: " + f.getKey());
            }
            String key = "f" + n++;
            p.put(key, f.getValue());
            where.add("t." + f.getKey() + " = :" + key);
        }
        if (!TaskListQuery.SORT_KEYS.contains(q.sortKey())) {
            throw new IllegalArgumentException("not a task sort key: " + q.sortKey());
        }
        List<String> sort = new ArrayList<>(List.of(q.sortKey()));
        for (String k : List.of("created_at", "id")) {
            if (!sort.contains(k)) {
                sort.add(k);
            }
        }
        if (q.marker() != null) {
            where.add(keyset(sort, q.ascending(), q.marker(), p));
        }
        StringBuilder sql = new StringBuilder("SELECT t.* FROM tasks t WHERE ").append(String.join(" AND ", where))
                .append(" ORDER BY ");
        for (int i = 0; i < sort.size(); i++) {
            sql.append(i > 0 ? ", " : "").append("t.").append(sort.get(i)).append(q.ascending() ? " ASC" : " DESC");
        }
        sql.append(" LIMIT ").append(q.limit());
        return new TaskQuerySql(sql.toString(), p);
    }

    /**
     * Rows strictly after the marker in the sort order. NULLs sort as the largest value (PostgreSQL's default, and
     * H2's with DEFAULT_NULL_ORDERING=HIGH), as in the image list.
     */
    private static String keyset(List<String> sort, boolean ascending, Task marker, Map<String, Object> p) {
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < sort.size(); i++) {
            List<String> and = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                Object v = value(marker, sort.get(j));
                String col = "t." + sort.get(j);
                if (v == null) {
                    and.add(col + " IS NULL");
                } else {
                    p.put("k" + j, v);
                    and.add(col + " = :k" + j);
                }
            }
            Object v = value(marker, sort.get(i));
            String col = "t." + sort.get(i);
            if (v == null) {
                and.add(ascending ? "FALSE" : col + " IS NOT NULL");
            } else {
                p.put("k" + i, v);
                and.add(ascending ? "(" + col + " > :k" + i + " OR " + col + " IS NULL)" : col + " < :k" + i);
            }
            alternatives.add("(" + String.join(" AND ", and) + ")");
        }
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private static Object value(Task t, String column) {
        return switch (column) {
            case "id" -> t.id();
            case "type" -> t.type();
            case "status" -> t.status();
            case "owner" -> t.owner();
            case "image_id" -> t.imageId();
            case "request_id" -> t.requestId();
            case "user_id" -> t.userId();
            case "expires_at" -> ImageRepository.utc(t.expiresAt());
            case "created_at" -> ImageRepository.utc(t.createdAt());
            case "updated_at" -> ImageRepository.utc(t.updatedAt());
            // listed tasks are never deleted: deleted is FALSE and deleted_at NULL on every row
            case "deleted_at" -> null;
            case "deleted" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("not a task sort key: " + column);
        };
    }
}
