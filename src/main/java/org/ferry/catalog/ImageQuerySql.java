package org.ferry.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the SQL of one image list page: filters, visibility scoping, sort and the keyset condition of the marker. */
record ImageQuerySql(String sql, Map<String, Object> params) {

    static ImageQuerySql build(ImageListQuery q) {
        List<String> where = new ArrayList<>();
        Map<String, Object> p = new LinkedHashMap<>();
        where.add("i.deleted = FALSE");
        where.add("i.status <> 'killed'");
        visibility(q, where, p);
        where.add("i.os_hidden = " + (q.osHidden() ? "TRUE" : "FALSE"));
        int n = 0;
        for (var f : q.coreFilters().entrySet()) {
            String col = f.getKey();
            if (!ImageListQuery.FILTER_COLUMNS.contains(col)) {
                throw new IllegalArgumentException("not a filter column: " + col);
            }
            List<String> names = new ArrayList<>();
            for (String v : f.getValue()) {
                String key = "f" + n++;
                names.add(":" + key);
                p.put(key, typed(col, v));
            }
            where.add("i." + col + " IN (" + String.join(", ", names) + ")");
        }
        for (var f : q.propertyFilters().entrySet()) {
            String k = "pk" + n, v = "pv" + n++;
            p.put(k, f.getKey());
            p.put(v, f.getValue());
            where.add("EXISTS (SELECT 1 FROM image_properties ip WHERE ip.image_id = i.id AND ip.name = :" + k
                    + " AND ip.value = :" + v + ")");
        }
        for (String tag : q.tags()) {
            String k = "t" + n++;
            p.put(k, tag);
            where.add("EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id AND it.value = :" + k + ")");
        }
        if (q.sizeMin() != null) {
            p.put("size_min", q.sizeMin());
            where.add("i.size >= :size_min");
        }
        if (q.sizeMax() != null) {
            p.put("size_max", q.sizeMax());
            where.add("i.size <= :size_max");
        }
        if (q.protectedFilter() != null) {
            where.add("i.protected = " + (q.protectedFilter() ? "TRUE" : "FALSE"));
        }
        for (var d : q.dateFilters()) {
            String k = "d" + n++;
            p.put(k, ImageRepository.utc(d.value()));
            String op = switch (d.op()) {
                case "gt" -> ">";
                case "gte" -> ">=";
                case "lt" -> "<";
                case "lte" -> "<=";
                case "neq" -> "<>";
                default -> "=";
            };
            where.add("i." + d.column() + " " + op + " :" + k);
        }
        List<ImageListQuery.SortKey> sort = new ArrayList<>(q.sort());
        boolean lastAsc = sort.isEmpty() ? false : sort.get(sort.size() - 1).ascending();
        if (sort.stream().noneMatch(s -> s.column().equals("created_at"))) {
            sort.add(new ImageListQuery.SortKey("created_at", lastAsc));
        }
        if (sort.stream().noneMatch(s -> s.column().equals("id"))) {
            sort.add(new ImageListQuery.SortKey("id", lastAsc));
        }
        if (q.marker() != null) {
            where.add(keyset(sort, q.marker(), p));
        }
        StringBuilder sql = new StringBuilder("SELECT i.* FROM images i WHERE ").append(String.join(" AND ", where));
        sql.append(" ORDER BY ");
        for (int i = 0; i < sort.size(); i++) {
            if (i > 0) {
                sql.append(", ");
            }
            sql.append("i.").append(sort.get(i).column()).append(sort.get(i).ascending() ? " ASC" : " DESC");
        }
        sql.append(" LIMIT ").append(q.limit());
        return new ImageQuerySql(sql.toString(), p);
    }

    private static void visibility(ImageListQuery q, List<String> where, Map<String, Object> p) {
        String v = q.visibility();
        if (q.admin()) {
            if (v != null && !v.equals("all")) {
                p.put("vis", v);
                where.add("i.visibility = :vis");
            }
            return;
        }
        p.put("caller", q.callerProject());
        String member = "EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = i.id AND m.member = :caller"
                + (q.memberStatus().equals("all") ? "" : " AND m.status = :mstatus") + ")";
        if (!q.memberStatus().equals("all")) {
            p.put("mstatus", q.memberStatus());
        }
        String sharedWithMe = "(i.visibility = 'shared' AND " + member + ")";
        where.add(switch (v == null ? "" : v) {
            case "public" -> "i.visibility = 'public'";
            case "community" -> "i.visibility = 'community'";
            case "private" -> "(i.visibility = 'private' AND i.owner = :caller)";
            case "shared" -> "(i.visibility = 'shared' AND (i.owner = :caller OR " + member + "))";
            case "all" -> "(i.visibility IN ('public', 'community') OR i.owner = :caller OR " + sharedWithMe + ")";
            default -> "(i.visibility = 'public' OR i.owner = :caller OR " + sharedWithMe + ")";
        });
    }

    /**
     * Rows strictly after the marker in the sort order. NULLs sort as the largest value (PostgreSQL's default,
     * and H2's with DEFAULT_NULL_ORDERING=HIGH).
     */
    private static String keyset(List<ImageListQuery.SortKey> sort, Image marker, Map<String, Object> p) {
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < sort.size(); i++) {
            List<String> and = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                and.add(equal(sort.get(j).column(), value(marker, sort.get(j).column()), p, "k" + j));
            }
            and.add(after(sort.get(i), value(marker, sort.get(i).column()), p, "k" + i));
            alternatives.add("(" + String.join(" AND ", and) + ")");
        }
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private static String equal(String col, Object v, Map<String, Object> p, String key) {
        if (v == null) {
            return "i." + col + " IS NULL";
        }
        p.put(key, v);
        return "i." + col + " = :" + key;
    }

    private static String after(ImageListQuery.SortKey k, Object v, Map<String, Object> p, String key) {
        String col = "i." + k.column();
        if (v == null) {
            return k.ascending() ? "FALSE" : col + " IS NOT NULL";
        }
        p.put(key, v);
        return k.ascending() ? "(" + col + " > :" + key + " OR " + col + " IS NULL)" : col + " < :" + key;
    }

    private static Object value(Image m, String col) {
        return switch (col) {
            case "name" -> m.name;
            case "status" -> m.status;
            case "container_format" -> m.containerFormat;
            case "disk_format" -> m.diskFormat;
            case "size" -> m.size;
            case "id" -> m.id;
            case "created_at" -> ImageRepository.utc(m.createdAt);
            case "updated_at" -> ImageRepository.utc(m.updatedAt);
            default -> throw new IllegalArgumentException("not a sort key: " + col);
        };
    }

    private static Object typed(String col, String v) {
        return switch (col) {
            case "size", "virtual_size" -> Long.parseLong(v);
            case "min_disk", "min_ram" -> Integer.parseInt(v);
            default -> v;
        };
    }
}
