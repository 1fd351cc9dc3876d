package org.ferry.catalog;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every variant of the list query binds exactly the named parameters its SQL declares (issue 12: JDBI refuses a
 * statement given parameters it does not declare, which made non-admin {@code visibility=public} lists answer 500).
 */
class ImageQuerySqlTest {
    private static final Pattern NAMED = Pattern.compile("(?<![:\\w]):(\\w+)");

    @Test
    void everyVariantBindsExactlyWhatItsSqlDeclares() {
        Image marker = new Image();
        marker.id = "8c1c4a3e-0000-4000-8000-000000000001";
        marker.createdAt = Instant.parse("2025-01-01T00:00:00Z");
        marker.updatedAt = marker.createdAt;
        marker.status = ImageStatus.ACTIVE;
        marker.name = null; // a NULL sort value takes the IS NULL branch of the keyset condition
        int variants = 0;
        for (boolean admin : new boolean[] {true, false}) {
            for (String caller : Arrays.asList("alpha", null)) {
                for (String visibility : Arrays.asList(null, "public", "community", "shared", "private", "all")) {
                    for (String memberStatus : List.of("accepted", "pending", "rejected", "all")) {
                        for (int filters = 0; filters < 4; filters++) {
                            for (Image m : Arrays.asList(null, marker)) {
                                ImageQuerySql sql = ImageQuerySql.build(query(caller, admin, visibility, memberStatus,
                                        filters, m));
                                assertEquals(declared(sql.sql()), new TreeSet<>(sql.params().keySet()), sql.sql());
                                variants++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(variants > 700, "variants: " + variants);
    }

    /** {@code filters}: 0 none, 1 core and property filters, 2 tags, sizes and dates, 3 all of them. */
    private static ImageListQuery query(String caller, boolean admin, String visibility, String memberStatus,
                                        int filters, Image marker) {
        boolean some = (filters & 1) != 0;
        boolean more = (filters & 2) != 0;
        List<ImageListQuery.SortKey> sort = new ArrayList<>();
        sort.add(new ImageListQuery.SortKey("name", true));
        if (more) {
            sort.add(new ImageListQuery.SortKey("size", false));
        }
        return new ImageListQuery(caller, admin, visibility, memberStatus, more,
                some ? Map.of("status", List.of("active", "queued"), "min_disk", List.of("10")) : Map.of(),
                some ? Map.of("os_distro", "ubuntu") : Map.of(),
                more ? List.of("x86", "gpu") : List.of(),
                more ? 10L : null, more ? 20L : null,
                more ? List.of(new ImageListQuery.DateFilter("created_at", "gt", Instant.EPOCH)) : List.of(),
                more ? Boolean.TRUE : null, sort, marker, 25);
    }

    private static Set<String> declared(String sql) {
        Set<String> out = new TreeSet<>();
        Matcher m = NAMED.matcher(sql);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
