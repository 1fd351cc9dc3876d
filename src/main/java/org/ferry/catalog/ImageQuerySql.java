package org.ferry.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the SQL of one image list page: filters, visibility scoping, sort and the keyset condition of the marker. */
record ImageQuerySql(String sql, Map<String, Object> params) {

    static ImageQuerySql build(ImageListQuery q) {
        List<String> where = new ArrayList<>();
        Params p = new Params();
        where.add("i.deleted = FALSE");
        where.add("i.status <> 'killed'");
        String scope = visibility(q, p);
        if (scope != null) {
            where.add(scope);
        }
        where.add("i.os_hidden = " + (q.osHidden() ? "TRUE" : "FALSE"));
        for (var f : q.coreFilters().entrySet()) {
            String col = f.getKey();
            if (!ImageListQuery.FILTER_COLUMNS.contains(col)) {
                throw new IllegalArgumentException("not a filter column: " + col);
            }
            List<String> names = new ArrayList<>();
            for (String v : f.getValue()) {
                names.add(p.bind(typed(col, v)));
            }
            where.add("i." + col + " IN (" + String.join(", ", names) + ")");
        }
        for (var f : q.propertyFilters().entrySet()) {
            where.add("EXISTS (SELECT 1 FROM image_properties ip WHERE ip.image_id = i.id AND ip.name = "
                    + p.bind(f.getKey()) + " AND ip.value = " + p.bind(f.getValue()) + ")");
        }
        for (String tag : q.tags()) {
            where.add("EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id AND it.value = " + p.bind(tag) + ")");
        }
        if (q.sizeMin() != null) {
            where.add("i.size >= " + p.bind(q.sizeMin()));
        }
        if (q.sizeMax() != null) {
            where.add("i.size <= " + p.bind(q.sizeMax()));
        }
        if (q.protectedFilter() != null) {
            where.add("i.protected = " + (q.protectedFilter() ? "TRUE" : "FALSE"));
        }
        for (var d : q.dateFilters()) {
            String op = switch (d.op()) {
                case "gt" -> ">";
                case "gte" -> ">=";
                case "lt" -> "<";
                case "lte" -> "<=";
                case "neq" -> "<>";
                default -> "=";
            };
            where.add("i." + d.column() + " " + op + " " + p.bind(ImageRepository.utc(d.value())));
        }
        // the API appends Glance's tie-breakers itself (ImageListParams); these keep any other query's order total
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
        return new ImageQuerySql(sql.toString(), p.values());
    }

    /**
     * The named parameters of one statement. A value gets its name only when the SQL text that uses it is written,
     * so the statement binds exactly the parameters it declares: JDBI refuses a statement that declares none but is
     * given some (issue 12: every non-admin {@code visibility=public} list without another filter answered 500).
     */
    private static final class Params {
        private final Map<String, Object> values = new LinkedHashMap<>();

        /** The placeholder of {@code value}, to be written into the SQL right away. */
        String bind(Object value) {
            String name = "p" + values.size();
            values.put(name, value);
            return ":" + name;
        }

        Map<String, Object> values() {
            return values;
        }
    }

    /**
     * Glance's visibility scoping ({@code _select_images_query} and {@code _image_get_all}), or null for none.
     * A non-admin sees public and community images, its own, and shared images it is a member of with the requested
     * member status. Without a {@code visibility} filter, community images appear only to their owner, and that
     * holds for admins too; {@code visibility=all} shows an admin everything.
     */
    private static String visibility(ImageListQuery q, Params p) {
        String v = q.visibility();
        if (q.admin()) {
            if (v == null) {
                return q.callerProject() == null ? "i.visibility <> 'community'"
                        : "(i.visibility <> 'community' OR i.owner = " + p.bind(q.callerProject()) + ")";
            }
            return v.equals("all") ? null : "i.visibility = " + p.bind(v);
        }
        return switch (v == null ? "" : v) {
            case "public" -> "i.visibility = 'public'";
            case "community" -> "i.visibility = 'community'";
            case "private" -> "(i.visibility = 'private' AND " + owned(q, p) + ")";
            case "shared" -> "(i.visibility = 'shared' AND (" + owned(q, p) + " OR " + member(q, p) + "))";
            case "all" -> "(i.visibility IN ('public', 'community') OR " + owned(q, p) + " OR " + sharedWithCaller(q, p)
                    + ")";
            default -> "(i.visibility = 'public' OR " + owned(q, p) + " OR " + sharedWithCaller(q, p) + ")";
        };
    }

    private static String owned(ImageListQuery q, Params p) {
        return "i.owner = " + p.bind(q.callerProject());
    }

    private static String sharedWithCaller(ImageListQuery q, Params p) {
        return "(i.visibility = 'shared' AND " + member(q, p) + ")";
    }

    /** The caller's project is a member of the image, with the requested status unless that is {@code all}. */
    private static String member(ImageListQuery q, Params p) {
        return "EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = i.id AND m.member = "
                + p.bind(q.callerProject())
                + (q.memberStatus().equals("all") ? "" : " AND m.status = " + p.bind(q.memberStatus())) + ")";
    }

    /**
     * Rows strictly after the marker in the sort order. NULLs sort as the largest value (PostgreSQL's default,
     * and H2's with DEFAULT_NULL_ORDERING=HIGH).
     */
    private static String keyset(List<ImageListQuery.SortKey> sort, Image marker, Params p) {
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < sort.size(); i++) {
            List<String> and = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                and.add(equal(sort.get(j).column(), value(marker, sort.get(j).column()), p));
            }
            and.add(after(sort.get(i), value(marker, sort.get(i).column()), p));
            alternatives.add("(" + String.join(" AND ", and) + ")");
        }
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private static String equal(String col, Object v, Params p) {
        return v == null ? "i." + col + " IS NULL" : "i." + col + " = " + p.bind(v);
    }

    private static String after(ImageListQuery.SortKey k, Object v, Params p) {
        String col = "i." + k.column();
        if (v == null) {
            return k.ascending() ? "FALSE" : col + " IS NOT NULL";
        }
        String at = p.bind(v);
        return k.ascending() ? "(" + col + " > " + at + " OR " + col + " IS NULL)" : col + " < " + at;
    }

    private static Object value(Image m, String col) {
        return switch (col) {
            case "name" -> m.name;
            case "status" -> m.status.wire();
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
