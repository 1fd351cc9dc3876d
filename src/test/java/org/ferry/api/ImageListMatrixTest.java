package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.MemberRepository;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.ferry.testing.TestDatabases.dropSchema;
import static org.ferry.testing.TestDatabases.freshSchema;
import static org.ferry.testing.TestDatabases.postgresUrl;
import static org.ferry.testing.TestDatabases.uniqueSchema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /v2/images as a generated matrix (issue 12): every list filter, sort key and direction (both syntaxes),
 * {@code visibility} x {@code member_status} x {@code os_hidden}, and paging by limit and marker, asked by four
 * callers (an admin, an image owner, a member of another project some images are shared with, a reader-only user)
 * of one catalog holding private, shared (members accepted, pending, rejected), community and public images of
 * several projects, some hidden. Each answer's ids, in order, are checked against {@link GlanceModel}, an
 * independent model of Glance's rules written from {@code glance/db/sqlalchemy/api.py _image_get_all}; Ferry's own
 * query code is not used to compute expectations. Runs on H2, and on PostgreSQL when {@code FERRY_TEST_PG_URL} is set
 * (required when CI is set, as in PostgresCatalogTest).
 */
class ImageListMatrixTest {
    /** The projects of the catalog; alpha, bravo and charlie are the callers' projects, ferry is the admin's. */
    static final List<String> OWNERS = List.of("alpha", "bravo", "charlie", "delta", "ferry");
    static final List<String> VISIBILITIES = List.of("public", "community", "shared", "private");
    static final List<String> MEMBER_STATUSES = List.of("accepted", "pending", "rejected");
    static final Caller ADMIN = new Caller("admin", "ferry", "admin,member,reader", true);
    static final Caller OWNER = new Caller("owner", "alpha", "member,reader", false);
    static final Caller MEMBER = new Caller("member", "bravo", "member,reader", false);
    static final Caller READER = new Caller("reader", "charlie", "reader", false);
    static final List<Caller> CALLERS = List.of(ADMIN, OWNER, MEMBER, READER);
    static final Instant BASE = Instant.parse("2025-03-01T10:00:00Z");

    @Nested
    @DisplayName("on H2")
    class OnH2 extends Matrix {
        @Override
        void configure(Map<String, Map<String, String>> config) {
        }

        @Override
        void dropDatabase() {
        }
    }

    @Nested
    @DisplayName("on PostgreSQL")
    class OnPostgres extends Matrix {
        private String baseUrl;
        private final String schema = uniqueSchema("ferry_matrix_");

        @Override
        void configure(Map<String, Map<String, String>> config) throws SQLException {
            baseUrl = postgresUrl();
            TestFerry.section(config, "database").put("connection", freshSchema(baseUrl, schema));
        }

        @Override
        void dropDatabase() throws SQLException {
            if (baseUrl != null) {
                dropSchema(baseUrl, schema);
            }
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Matrix {
        TestFerry ferry;
        GlanceModel model;
        Catalog catalog;

        abstract void configure(Map<String, Map<String, String>> config) throws SQLException;

        abstract void dropDatabase() throws SQLException;

        @BeforeAll
        void start(@TempDir Path dir) throws SQLException {
            Map<String, Map<String, String>> config = TestFerry.defaults(dir);
            configure(config);
            ferry = TestFerry.start(dir, config);
            Jdbi jdbi = ferry.ferry().database().jdbi();
            catalog = Catalog.seed(new ImageRepository(jdbi), new MemberRepository(jdbi));
            model = new GlanceModel(catalog);
        }

        @AfterAll
        void stop() throws SQLException {
            if (ferry != null) {
                ferry.close();
            }
            dropDatabase();
        }

        @TestFactory
        Stream<DynamicNode> listMatrix() {
            List<DynamicNode> nodes = new ArrayList<>();
            nodes.add(container("filters", filterCases()));
            nodes.add(container("visibility x member_status x os_hidden", scopeCases()));
            nodes.add(container("sort keys and directions", sortCases()));
            nodes.add(container("paging", pagingCases()));
            nodes.add(container("markers", markerCases()));
            nodes.add(container("refusals", refusalCases()));
            nodes.add(DynamicTest.dynamicTest("the catalog holds what the matrix needs", this::catalogCoversTheMatrix));
            return nodes.stream();
        }

        private static DynamicContainer container(String name, List<DynamicNode> tests) {
            return DynamicContainer.dynamicContainer(name + " (" + tests.size() + ")", tests.stream());
        }

        // ---- cases ----------------------------------------------------------------------------------------------

        /** Each filter alone and in combinations, by every caller, in the default scope and in visibility=all. */
        List<DynamicNode> filterCases() {
            List<Filter> filters = filters();
            List<DynamicNode> out = new ArrayList<>();
            for (Caller c : CALLERS) {
                for (Scope scope : List.of(Scope.DEFAULT, new Scope("all", "all", null))) {
                    for (Filter f : filters) {
                        Query q = scope.query().and(f.query()).and("limit", "1000");
                        out.add(listTest(c, q, model.list(c, scope, f.matches(), GlanceModel.DEFAULT_ORDER)));
                    }
                }
            }
            return out;
        }

        List<Filter> filters() {
            Image some = catalog.listable().get(3);
            List<Image> three = catalog.listable().subList(10, 13);
            Instant cut = catalog.createdCut();
            Instant ucut = catalog.updatedCut();
            List<Filter> f = new ArrayList<>();
            f.add(new Filter(Query.of(), i -> true));
            f.add(new Filter(Query.of("name", "debian"), i -> "debian".equals(i.name)));
            f.add(new Filter(Query.of("name", "nomatch"), i -> false));
            f.add(new Filter(Query.of("name", "in:\"debian\",\"ubuntu\""),
                    i -> "debian".equals(i.name) || "ubuntu".equals(i.name)));
            f.add(new Filter(Query.of("name", "eq:centos"), i -> "centos".equals(i.name)));
            f.add(new Filter(Query.of("status", "active"), i -> i.status.wire().equals("active")));
            f.add(new Filter(Query.of("status", "queued"), i -> i.status.wire().equals("queued")));
            f.add(new Filter(Query.of("status", "in:active,deactivated"),
                    i -> i.status.wire().equals("active") || i.status.wire().equals("deactivated")));
            f.add(new Filter(Query.of("status", "killed"), i -> false));
            f.add(new Filter(Query.of("disk_format", "qcow2"), i -> "qcow2".equals(i.diskFormat)));
            f.add(new Filter(Query.of("disk_format", "in:raw,iso"),
                    i -> "raw".equals(i.diskFormat) || "iso".equals(i.diskFormat)));
            f.add(new Filter(Query.of("container_format", "bare"), i -> "bare".equals(i.containerFormat)));
            f.add(new Filter(Query.of("container_format", "eq:docker"), i -> "docker".equals(i.containerFormat)));
            f.add(new Filter(Query.of("id", some.id), i -> i.id.equals(some.id)));
            f.add(new Filter(Query.of("id", "in:" + String.join(",", three.stream().map(i -> i.id).toList())),
                    i -> three.stream().anyMatch(t -> t.id.equals(i.id))));
            for (String owner : List.of("alpha", "bravo", "delta", "ferry")) {
                f.add(new Filter(Query.of("owner", owner), i -> owner.equals(i.owner)));
            }
            f.add(new Filter(Query.of("tag", "x86"), i -> i.tags.contains("x86")));
            f.add(new Filter(Query.of("tag", "x86").and("tag", "gpu"), i -> i.tags.containsAll(Set.of("x86", "gpu"))));
            f.add(new Filter(Query.of("tag", "nomatch"), i -> false));
            f.add(new Filter(Query.of("size_min", "4096"), i -> i.size != null && i.size >= 4096));
            f.add(new Filter(Query.of("size_max", "4096"), i -> i.size != null && i.size <= 4096));
            f.add(new Filter(Query.of("size_min", "2048").and("size_max", "4096"),
                    i -> i.size != null && i.size >= 2048 && i.size <= 4096));
            f.add(new Filter(Query.of("size", "4096"), i -> i.size != null && i.size == 4096));
            f.add(new Filter(Query.of("protected", "true"), i -> i.isProtected));
            f.add(new Filter(Query.of("protected", "false"), i -> !i.isProtected));
            f.add(new Filter(Query.of("min_disk", "10"), i -> i.minDisk == 10));
            f.add(new Filter(Query.of("min_ram", "512"), i -> i.minRam == 512));
            f.add(new Filter(Query.of("os_distro", "ubuntu"), i -> "ubuntu".equals(i.properties.get("os_distro"))));
            f.add(new Filter(Query.of("os_distro", "ubuntu").and("hw_disk_bus", "scsi"),
                    i -> "ubuntu".equals(i.properties.get("os_distro")) && "scsi".equals(i.properties.get("hw_disk_bus"))));
            String t = cut.toString();
            f.add(new Filter(Query.of("created_at", "gt:" + t), i -> i.createdAt.isAfter(cut)));
            f.add(new Filter(Query.of("created_at", "gte:" + t), i -> !i.createdAt.isBefore(cut)));
            f.add(new Filter(Query.of("created_at", "lt:" + t), i -> i.createdAt.isBefore(cut)));
            f.add(new Filter(Query.of("created_at", "lte:" + t), i -> !i.createdAt.isAfter(cut)));
            f.add(new Filter(Query.of("created_at", "eq:" + t), i -> i.createdAt.equals(cut)));
            f.add(new Filter(Query.of("created_at", "neq:" + t), i -> !i.createdAt.equals(cut)));
            f.add(new Filter(Query.of("created_at", t), i -> i.createdAt.equals(cut)));
            f.add(new Filter(Query.of("created_at", "lt:" + t.replace("Z", "+01:00")),
                    i -> i.createdAt.isBefore(cut.minus(Duration.ofHours(1)))));
            f.add(new Filter(Query.of("updated_at", "gt:" + ucut), i -> i.updatedAt.isAfter(ucut)));
            f.add(new Filter(Query.of("updated_at", "lte:" + ucut), i -> !i.updatedAt.isAfter(ucut)));
            f.add(new Filter(Query.of("status", "active").and("disk_format", "qcow2").and("tag", "x86"),
                    i -> i.status.wire().equals("active") && "qcow2".equals(i.diskFormat) && i.tags.contains("x86")));
            f.add(new Filter(Query.of("owner", "delta").and("protected", "false").and("size_min", "1"),
                    i -> "delta".equals(i.owner) && !i.isProtected && i.size != null && i.size >= 1));
            return f;
        }

        /** Every visibility x member_status x os_hidden (each also absent) by every caller. */
        List<DynamicNode> scopeCases() {
            List<String> visibilities = new ArrayList<>(VISIBILITIES);
            visibilities.add(0, null);
            visibilities.add("all");
            List<String> statuses = new ArrayList<>(MEMBER_STATUSES);
            statuses.add(0, null);
            statuses.add("all");
            List<DynamicNode> out = new ArrayList<>();
            for (Caller c : CALLERS) {
                for (String v : visibilities) {
                    for (String ms : statuses) {
                        for (Boolean hidden : new Boolean[] {null, true, false}) {
                            Scope s = new Scope(v, ms, hidden);
                            out.add(listTest(c, s.query().and("limit", "1000"),
                                    model.list(c, s, i -> true, GlanceModel.DEFAULT_ORDER)));
                        }
                    }
                }
            }
            return out;
        }

        /** Every sort key, with no, asc and desc direction, in both syntaxes, and several multi-key sorts. */
        List<DynamicNode> sortCases() {
            List<DynamicNode> out = new ArrayList<>();
            Scope scope = new Scope("all", "all", null);
            for (Caller c : CALLERS) {
                for (Sort s : sorts()) {
                    out.add(listTest(c, scope.query().and(s.query()).and("limit", "1000"),
                            model.list(c, scope, i -> true, s.order())));
                }
            }
            return out;
        }

        static List<Sort> sorts() {
            List<Sort> out = new ArrayList<>();
            for (String k : GlanceModel.SORT_KEYS) {
                out.add(Sort.of(Query.of("sort_key", k), List.of(k), List.of()));
                out.add(Sort.of(Query.of("sort", k), List.of(k), List.of()));
                for (String d : List.of("asc", "desc")) {
                    out.add(Sort.of(Query.of("sort_key", k).and("sort_dir", d), List.of(k), List.of(d)));
                    out.add(Sort.of(Query.of("sort", k + ":" + d), List.of(k), List.of(d)));
                }
            }
            out.add(Sort.of(Query.of("sort_dir", "asc"), List.of("created_at"), List.of("asc")));
            out.add(Sort.of(Query.of("sort_key", "name").and("sort_key", "size").and("sort_dir", "asc"),
                    List.of("name", "size"), List.of("asc")));
            out.add(Sort.of(Query.of("sort_key", "name").and("sort_key", "size").and("sort_dir", "asc")
                    .and("sort_dir", "asc"), List.of("name", "size"), List.of("asc", "asc")));
            out.add(Sort.of(Query.of("sort_key", "disk_format").and("sort_dir", "desc").and("sort_key", "name")
                    .and("sort_dir", "asc"), List.of("disk_format", "name"), List.of("desc", "asc")));
            out.add(Sort.of(Query.of("sort", "name:asc,size:asc"), List.of("name", "size"), List.of("asc", "asc")));
            out.add(Sort.of(Query.of("sort", "status:desc,disk_format,name:asc"), List.of("status", "disk_format", "name"),
                    List.of("desc", "desc", "asc")));
            out.add(Sort.of(Query.of("sort", "container_format:asc,id:desc"), List.of("container_format", "id"),
                    List.of("asc", "desc")));
            out.add(Sort.of(Query.of("sort", "updated_at:asc,created_at:asc"), List.of("updated_at", "created_at"),
                    List.of("asc", "asc")));
            out.add(Sort.of(Query.of("sort", "size:asc"), List.of("size"), List.of("asc")));
            return out;
        }

        /** Walks every page (limit + the next links) of a sample of sorts and scopes by every caller. */
        List<DynamicNode> pagingCases() {
            List<Sort> sorts = List.of(
                    Sort.of(Query.of(), List.of(), List.of()),
                    Sort.of(Query.of("sort", "name:asc"), List.of("name"), List.of("asc")),
                    Sort.of(Query.of("sort_key", "size").and("sort_dir", "asc"), List.of("size"), List.of("asc")),
                    Sort.of(Query.of("sort_key", "size"), List.of("size"), List.of()),
                    Sort.of(Query.of("sort", "disk_format:desc,name:asc"), List.of("disk_format", "name"),
                            List.of("desc", "asc")),
                    Sort.of(Query.of("sort_key", "status").and("sort_key", "container_format").and("sort_dir", "asc"),
                            List.of("status", "container_format"), List.of("asc")),
                    Sort.of(Query.of("sort", "updated_at:asc"), List.of("updated_at"), List.of("asc")));
            List<Scope> scopes = List.of(Scope.DEFAULT, new Scope("all", "all", null), new Scope("shared", "all", true),
                    new Scope(null, "pending", null));
            List<DynamicNode> out = new ArrayList<>();
            int n = 0;
            for (Caller c : CALLERS) {
                for (Sort s : sorts) {
                    for (Scope scope : scopes) {
                        List<String> expected = model.list(c, scope, i -> true, s.order());
                        int limit = List.of(1, 2, 3, 5, 7, 25).get(n++ % 6);
                        Query q = scope.query().and(s.query()).and("limit", String.valueOf(limit));
                        out.add(DynamicTest.dynamicTest(c.label() + ": pages of " + q,
                                () -> assertEquals(expected, walk(c, q, limit), q.toString())));
                    }
                }
            }
            // the default limit (limit_param_default = 25) pages too
            for (Caller c : CALLERS) {
                Scope all = new Scope("all", "all", null);
                List<String> expected = model.list(c, all, i -> true, GlanceModel.DEFAULT_ORDER);
                out.add(DynamicTest.dynamicTest(c.label() + ": pages of the default limit",
                        () -> assertEquals(expected, walk(c, all.query(), 25))));
            }
            return out;
        }

        /** A marker is any image the caller may see, listed or not: the page holds what sorts after it. */
        List<DynamicNode> markerCases() {
            List<DynamicNode> out = new ArrayList<>();
            Scope scope = Scope.DEFAULT;
            List<Sort> sorts = List.of(Sort.of(Query.of(), List.of(), List.of()),
                    Sort.of(Query.of("sort", "name:asc,size:desc"), List.of("name", "size"), List.of("asc", "desc")));
            for (Caller c : CALLERS) {
                List<Image> markers = catalog.all().stream().filter(i -> !catalog.isDeleted(i) && model.canSee(c, i))
                        .filter(i -> Math.floorMod(i.id.hashCode(), 5) == 0).toList();
                for (Sort s : sorts) {
                    for (Image m : markers) {
                        Query q = scope.query().and(s.query()).and("limit", "1000").and("marker", m.id);
                        out.add(listTest(c, q, model.after(c, scope, s.order(), m)));
                    }
                }
                Image hidden = catalog.all().stream().filter(i -> !catalog.isDeleted(i) && !model.canSee(c, i))
                        .findFirst().orElse(null);
                if (hidden != null) {
                    out.add(DynamicTest.dynamicTest(c.label() + ": a marker it may not see is 403",
                            () -> assertEquals(403, get(c, "/v2/images?marker=" + hidden.id).status())));
                }
                out.add(DynamicTest.dynamicTest(c.label() + ": an unknown marker is 400",
                        () -> assertEquals(400, get(c, "/v2/images?marker=" + UUID.randomUUID()).status())));
                for (Image deleted : catalog.all().stream().filter(catalog::isDeleted).toList()) {
                    if (c.admin()) {
                        // Glance's context.can_see_deleted: an admin may page on from an image deleted meanwhile
                        Query q = Query.of("limit", "1000").and("marker", deleted.id);
                        out.add(listTest(c, q, model.after(c, scope, GlanceModel.DEFAULT_ORDER, deleted)));
                    } else {
                        out.add(DynamicTest.dynamicTest(c.label() + ": a deleted marker is 400",
                                () -> assertEquals(400, get(c, "/v2/images?marker=" + deleted.id).status())));
                    }
                }
            }
            return out;
        }

        /** Bad parameters answer Glance's 400s (never 5xx), and a role without reader may not list. */
        List<DynamicNode> refusalCases() {
            List<DynamicNode> out = new ArrayList<>();
            List<String> bad = List.of("visibility=everyone", "member_status=maybe", "os_hidden=maybe",
                    "protected=True", "sort_key=owner", "sort_dir=up", "sort=name:up", "sort=name&sort_key=size",
                    "sort_key=name&sort_dir=asc&sort_dir=desc&sort_dir=asc", "limit=-1", "limit=ten", "size_min=big",
                    "created_at=gt:yesterday", "status=gt:active", "changes-since=2020-01-01T00:00:00Z");
            for (Caller c : CALLERS) {
                for (String q : bad) {
                    out.add(DynamicTest.dynamicTest(c.label() + ": " + q + " is 400",
                            () -> assertEquals(400, get(c, "/v2/images?" + q).status(), q)));
                }
                out.add(DynamicTest.dynamicTest(c.label() + ": os_hidden=TRUE is os_hidden=true", () -> {
                    Scope s = new Scope(null, null, true);
                    assertEquals(model.list(c, s, i -> true, GlanceModel.DEFAULT_ORDER),
                            ids(get(c, "/v2/images?limit=1000&os_hidden=TRUE")));
                }));
            }
            Caller observer = new Caller("observer", "bravo", "observer", false);
            out.add(DynamicTest.dynamicTest("a role without reader may not list",
                    () -> assertEquals(403, get(observer, "/v2/images").status())));
            return out;
        }

        void catalogCoversTheMatrix() {
            for (Caller c : CALLERS) {
                for (String v : VISIBILITIES) {
                    assertTrue(catalog.all().stream().anyMatch(i -> v.equals(i.visibility) && model.canSee(c, i)),
                            c + " sees a " + v + " image");
                }
            }
            for (Caller c : List.of(OWNER, MEMBER, READER)) {
                for (String ms : MEMBER_STATUSES) {
                    assertTrue(catalog.all().stream().anyMatch(i -> "shared".equals(i.visibility)
                            && ms.equals(catalog.memberStatus(i, c.project()))), c + " is a " + ms + " member");
                }
            }
        }

        // ---- requests -------------------------------------------------------------------------------------------

        /** One list request: 200, exactly the expected ids in order, and a next link only when the page is full. */
        DynamicTest listTest(Caller c, Query q, List<String> expected) {
            return DynamicTest.dynamicTest(c.label() + ": " + (q.isEmpty() ? "(no parameters)" : q), () -> {
                TestResponse r = get(c, "/v2/images" + q.path());
                int limit = q.limit();
                assertEquals(expected.subList(0, Math.min(limit, expected.size())), ids(r), q.toString());
                JsonNode body = r.json();
                assertEquals(expected.size() >= limit && limit > 0, body.has("next"), "next link: " + body.get("next"));
                assertEquals("/v2/images" + q.without("marker").path(), body.get("first").asText());
            });
        }

        /** Follows the next links from the first page to the last; the ids of all pages in order. */
        List<String> walk(Caller c, Query q, int limit) {
            List<String> all = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            String path = "/v2/images" + q.path();
            for (int pages = 0; path != null; pages++) {
                assertTrue(pages <= catalog.all().size() + 1, "the next links do not end");
                TestResponse r = get(c, path);
                List<String> page = ids(r);
                assertTrue(page.size() <= limit, path + " holds " + page.size());
                for (String id : page) {
                    assertTrue(seen.add(id), "listed twice: " + id + " on " + path);
                }
                all.addAll(page);
                JsonNode next = r.json().get("next");
                if (next != null) {
                    assertEquals(limit, page.size(), "a next link after a page that is not full: " + path);
                    assertTrue(next.asText().endsWith("marker=" + page.get(page.size() - 1)), next.asText());
                }
                path = next == null ? null : next.asText();
            }
            return all;
        }

        TestResponse get(Caller c, String path) {
            return ferry.get(path, "Accept", "application/json", "X-Project-Id", c.project(), "X-Roles", c.roles(),
                    "X-User-Id", c.project() + "-" + c.label());
        }

        static List<String> ids(TestResponse r) {
            assertEquals(200, r.status(), r.text());
            List<String> out = new ArrayList<>();
            r.json().get("images").forEach(i -> out.add(i.get("id").asText()));
            return out;
        }
    }

    // ---- the catalog --------------------------------------------------------------------------------------------

    /**
     * Images of five projects in every visibility, hidden and not, with varied names, statuses, formats, sizes, tags,
     * properties, minimums and times (some equal, so sorts need their tie-breakers), plus shared images whose members
     * are accepted, pending or rejected, members left on images that are no longer shared, images without owner,
     * killed and deleted images. Written through the catalog, so times and statuses are the test's choice.
     */
    record Catalog(List<Image> images, Map<String, Map<String, String>> members, Set<String> deleted) {
        static final List<String> NAMES = java.util.Arrays.asList("alpine", "centos", "debian", "fedora", "ubuntu", null);
        static final List<String> STATUSES = List.of("active", "queued", "deactivated", "saving", "importing",
                "uploading", "active");
        static final List<String> DISKS = java.util.Arrays.asList("raw", "qcow2", "iso", "vmdk", null);
        static final List<String> CONTAINERS = java.util.Arrays.asList("bare", "ovf", "docker", null);
        static final List<Long> SIZES = List.of(1024L, 2048L, 4096L, 4096L, 8192L);

        static Catalog seed(ImageRepository images, MemberRepository memberRows) {
            Random rnd = new Random(12);
            List<Image> all = new ArrayList<>();
            Map<String, Map<String, String>> members = new HashMap<>();
            int n = 0;
            for (String owner : OWNERS) {
                for (String v : VISIBILITIES) {
                    for (boolean hidden : new boolean[] {false, true}) {
                        all.add(image(rnd, n++, owner, v, hidden, "active"));
                    }
                }
                if (!owner.equals("charlie")) {
                    for (int k = 0; k < 4; k++) {
                        all.add(image(rnd, n++, owner, "shared", k == 3, null));
                    }
                }
            }
            all.add(image(rnd, n++, null, "private", false, "active"));
            all.add(image(rnd, n++, null, "public", false, "active"));
            all.add(image(rnd, n++, "alpha", "public", false, "killed"));
            all.add(image(rnd, n++, "bravo", "shared", false, "killed"));
            Image gone = image(rnd, n++, "alpha", "public", false, "active");
            Image goneShared = image(rnd, n, "delta", "shared", false, "active");
            for (Image i : all) {
                images.create(i);
            }
            Set<String> deleted = new HashSet<>();
            for (Image i : List.of(gone, goneShared)) {
                images.create(i);
                images.softDelete(i.id);
                deleted.add(i.id);
                all.add(i);
            }
            // members: on every shared image of another project, each caller project in a rotating status or none
            List<String> statuses = java.util.Arrays.asList("accepted", "pending", "rejected", null);
            int k = 0;
            for (Image i : all) {
                if (!"shared".equals(i.visibility)) {
                    continue;
                }
                int j = k++;
                for (String project : List.of("alpha", "bravo", "charlie")) {
                    String status = statuses.get((j + project.charAt(0)) % 4);
                    if (!project.equals(i.owner) && status != null) {
                        share(memberRows, members, i, project, status);
                    }
                }
            }
            // members left behind when an image stopped being shared: Glance ignores them in lists
            for (String v : List.of("private", "public", "community")) {
                Image stale = all.stream().filter(i -> v.equals(i.visibility) && "delta".equals(i.owner) && !i.osHidden)
                        .findFirst().orElseThrow();
                share(memberRows, members, stale, "bravo", "accepted");
                share(memberRows, members, stale, "charlie", "pending");
            }
            return new Catalog(List.copyOf(all), members, Set.copyOf(deleted));
        }

        private static void share(MemberRepository rows, Map<String, Map<String, String>> members, Image i,
                                  String project, String status) {
            rows.add(i.id, project);
            if (!status.equals("pending")) {
                rows.setStatus(i.id, project, status);
            }
            members.computeIfAbsent(i.id, x -> new HashMap<>()).put(project, status);
        }

        private static Image image(Random rnd, int n, String owner, String visibility, boolean hidden, String status) {
            Image i = new Image();
            i.id = UUID.nameUUIDFromBytes(("matrix-" + n).getBytes(StandardCharsets.UTF_8)).toString();
            i.owner = owner;
            i.visibility = visibility;
            i.osHidden = hidden;
            i.name = pick(rnd, NAMES);
            i.status = ImageStatus.fromWire(status != null ? status : pick(rnd, STATUSES));
            boolean hasData = !List.of("queued", "importing", "uploading").contains(i.status.wire())
                    || rnd.nextInt(4) == 0;
            i.size = hasData ? pick(rnd, SIZES) : null;
            i.diskFormat = i.status.wire().equals("queued") ? pick(rnd, DISKS) : pick(rnd, DISKS.subList(0, 4));
            i.containerFormat = i.status.wire().equals("queued") ? pick(rnd, CONTAINERS)
                    : pick(rnd, CONTAINERS.subList(0, 3));
            i.isProtected = rnd.nextInt(3) == 0;
            i.minDisk = pick(rnd, List.of(0, 0, 10, 20));
            i.minRam = pick(rnd, List.of(0, 512, 1024));
            // minutes from BASE out of a small range, so created_at values repeat
            i.createdAt = BASE.plus(Duration.ofMinutes(rnd.nextInt(24)));
            i.updatedAt = i.createdAt.plus(Duration.ofMinutes(rnd.nextInt(4) * 45L));
            for (String tag : List.of("x86", "arm", "gpu")) {
                if (rnd.nextInt(3) == 0) {
                    i.tags.add(tag);
                }
            }
            String distro = pick(rnd, java.util.Arrays.asList("ubuntu", "fedora", null));
            if (distro != null) {
                i.properties.put("os_distro", distro);
            }
            if (rnd.nextBoolean()) {
                i.properties.put("hw_disk_bus", "scsi");
            }
            return i;
        }

        private static <T> T pick(Random rnd, List<T> from) {
            return from.get(rnd.nextInt(from.size()));
        }

        List<Image> all() {
            return images;
        }

        /** Images a list may show at all (not killed, not deleted), in creation order of the seed. */
        List<Image> listable() {
            return images.stream().filter(i -> !isDeleted(i) && !i.status.wire().equals("killed")).toList();
        }

        boolean isDeleted(Image i) {
            return deleted.contains(i.id);
        }

        String memberStatus(Image i, String project) {
            return members.getOrDefault(i.id, Map.of()).get(project);
        }

        /** A created_at that several images share, so gt and gte (lt and lte) differ. */
        Instant createdCut() {
            return mostCommon(i -> i.createdAt);
        }

        Instant updatedCut() {
            return mostCommon(i -> i.updatedAt);
        }

        private Instant mostCommon(Function<Image, Instant> f) {
            Map<Instant, Integer> counts = new LinkedHashMap<>();
            listable().forEach(i -> counts.merge(f.apply(i), 1, Integer::sum));
            return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    // ---- the model ----------------------------------------------------------------------------------------------

    /**
     * Glance's list semantics, written from its source rather than from Ferry's: {@code _select_images_query} (a
     * non-admin gets the union of public and community images, its own, and shared images it is a member of with the
     * requested member status; an admin gets everything), then {@code _image_get_all}'s visibility filter (a given
     * visibility other than {@code all} keeps only that visibility; none keeps community images only of the caller's
     * project, for admins too), {@code os_hidden} (default false), no killed or deleted images; sorted by the given
     * keys, then {@code created_at} and {@code id} in the single given direction (or desc when none or several were
     * given), NULLs sorting as the largest value (PostgreSQL's order, which Ferry uses on H2 too).
     */
    record GlanceModel(Catalog catalog) {
        static final List<String> SORT_KEYS = List.of("name", "status", "container_format", "disk_format", "size", "id",
                "created_at", "updated_at");
        static final Comparator<Image> DEFAULT_ORDER = order(List.of(), List.of());

        List<String> list(Caller c, Scope s, Predicate<Image> filter, Comparator<Image> order) {
            return catalog.listable().stream().filter(i -> inScope(c, s, i)).filter(filter).sorted(order)
                    .map(i -> i.id).toList();
        }

        /** The listed images that sort after the marker. */
        List<String> after(Caller c, Scope s, Comparator<Image> order, Image marker) {
            return catalog.listable().stream().filter(i -> inScope(c, s, i)).filter(i -> order.compare(i, marker) > 0)
                    .sorted(order).map(i -> i.id).toList();
        }

        boolean inScope(Caller c, Scope s, Image i) {
            boolean hidden = s.osHidden() != null && s.osHidden();
            if (i.osHidden != hidden) {
                return false;
            }
            String memberStatus = s.memberStatus() == null ? "accepted" : s.memberStatus();
            boolean selected = c.admin()
                    || i.visibility.equals("public") || i.visibility.equals("community")
                    || c.project().equals(i.owner)
                    || i.visibility.equals("shared") && catalog.memberStatus(i, c.project()) != null
                            && (memberStatus.equals("all") || memberStatus.equals(catalog.memberStatus(i, c.project())));
            if (!selected) {
                return false;
            }
            if (s.visibility() != null) {
                return s.visibility().equals("all") || s.visibility().equals(i.visibility);
            }
            return c.project().equals(i.owner) || !i.visibility.equals("community");
        }

        /** Glance's is_image_visible: what a marker (or GET /v2/images/{id}) may name. */
        boolean canSee(Caller c, Image i) {
            return c.admin() || i.owner == null || c.project().equals(i.owner)
                    || i.visibility.equals("public") || i.visibility.equals("community")
                    || i.visibility.equals("shared") && catalog.memberStatus(i, c.project()) != null;
        }

        static Comparator<Image> order(List<String> keys, List<String> dirs) {
            List<String> k = new ArrayList<>(keys.isEmpty() ? List.of("created_at") : keys);
            List<String> d = new ArrayList<>();
            List<String> given = dirs.isEmpty() ? List.of("desc") : dirs;
            for (int n = 0; n < k.size(); n++) {
                d.add(given.size() == 1 ? given.get(0) : given.get(n));
            }
            String tie = given.size() == 1 ? given.get(0) : "desc";
            for (String t : List.of("created_at", "id")) {
                if (!k.contains(t)) {
                    k.add(t);
                    d.add(tie);
                }
            }
            Comparator<Image> out = null;
            for (int n = 0; n < k.size(); n++) {
                Comparator<Image> one = Comparator.comparing(column(k.get(n)),
                        Comparator.nullsLast(Comparator.<Comparable<Object>>naturalOrder()));
                one = d.get(n).equals("asc") ? one : one.reversed();
                out = out == null ? one : out.thenComparing(one);
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        static Function<Image, Comparable<Object>> column(String key) {
            Function<Image, Object> f = switch (key) {
                case "name" -> i -> i.name;
                case "status" -> i -> i.status.wire();
                case "container_format" -> i -> i.containerFormat;
                case "disk_format" -> i -> i.diskFormat;
                case "size" -> i -> i.size;
                case "id" -> i -> i.id;
                case "created_at" -> i -> i.createdAt;
                case "updated_at" -> i -> i.updatedAt;
                default -> throw new IllegalArgumentException(key);
            };
            return i -> (Comparable<Object>) f.apply(i);
        }
    }

    // ---- values -------------------------------------------------------------------------------------------------

    record Caller(String label, String project, String roles, boolean admin) {
        @Override
        public String toString() {
            return label + " (" + project + ": " + roles + ")";
        }
    }

    /** visibility, member_status and os_hidden, each null when the request leaves it out. */
    record Scope(String visibility, String memberStatus, Boolean osHidden) {
        static final Scope DEFAULT = new Scope(null, null, null);

        Query query() {
            Query q = Query.of();
            if (visibility != null) {
                q = q.and("visibility", visibility);
            }
            if (memberStatus != null) {
                q = q.and("member_status", memberStatus);
            }
            if (osHidden != null) {
                q = q.and("os_hidden", osHidden.toString());
            }
            return q;
        }
    }

    record Filter(Query query, Predicate<Image> matches) {
    }

    record Sort(Query query, Comparator<Image> order) {
        static Sort of(Query q, List<String> keys, List<String> dirs) {
            return new Sort(q, GlanceModel.order(keys, dirs));
        }
    }

    /** Query parameters in order, repeats allowed. */
    record Query(List<Map.Entry<String, String>> params) {
        static Query of() {
            return new Query(List.of());
        }

        static Query of(String k, String v) {
            return of().and(k, v);
        }

        Query and(String k, String v) {
            List<Map.Entry<String, String>> p = new ArrayList<>(params);
            p.add(Map.entry(k, v));
            return new Query(List.copyOf(p));
        }

        Query and(Query other) {
            List<Map.Entry<String, String>> p = new ArrayList<>(params);
            p.addAll(other.params());
            return new Query(List.copyOf(p));
        }

        Query without(String k) {
            return new Query(params.stream().filter(e -> !e.getKey().equals(k)).toList());
        }

        boolean isEmpty() {
            return params.isEmpty();
        }

        /** The limit asked for, or Ferry's default (limit_param_default = 25). */
        int limit() {
            return params.stream().filter(e -> e.getKey().equals("limit")).map(e -> Integer.parseInt(e.getValue()))
                    .reduce((a, b) -> b).orElse(25);
        }

        /** {@code ?k=v&...} percent-encoded, or empty. */
        String path() {
            if (params.isEmpty()) {
                return "";
            }
            StringBuilder b = new StringBuilder("?");
            for (var e : params) {
                if (b.length() > 1) {
                    b.append('&');
                }
                b.append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            }
            return b.toString();
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (var e : params) {
                b.append(b.length() > 0 ? "&" : "").append(e.getKey()).append('=').append(e.getValue());
            }
            return b.toString();
        }
    }
}
