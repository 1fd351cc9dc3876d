package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reference §2.7: sort, limit, marker and the first/next links of GET /v2/images. */
class ImageListPagingTest {
    static final String PROJECT = "p-page";

    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);
    static final ApiClient owner = ApiClient.member(ferry, PROJECT);
    /** id to view of every image of PROJECT. */
    static final Map<String, JsonNode> IMAGES = new HashMap<>();

    @BeforeAll
    static void start() {
        // names with nulls and duplicates, sizes with nulls and duplicates, several statuses and formats
        String[] names = {"delta", null, "alpha", "charlie", null, "bravo", "alpha", null, "echo", "charlie", null,
                "foxtrot", "golf", null};
        int[] sizes = {100, -1, 300, 100, -1, 200, -1, 300, 50, -1, 100, -1, 400, -1};
        for (int i = 0; i < names.length; i++) {
            String disk = i % 3 == 0 ? "qcow2" : "raw";
            String id = owner.createRaw((names[i] == null ? "\"name\":null" : "\"name\":\"" + names[i] + "\"")
                    + ",\"disk_format\":\"" + disk + "\"");
            if (sizes[i] >= 0) {
                owner.upload(id, new byte[sizes[i]]);
            }
            IMAGES.put(id, owner.show(id));
        }
        // another project's images, private and public, to be skipped or included by scoping
        ApiClient.member(ferry, "p-other").createRaw("\"name\":\"other-private\",\"visibility\":\"private\"");
        admin.create("{\"name\":\"other-public\",\"visibility\":\"public\",\"owner\":\"p-other\"}");
    }

    /** Follows next links from {@code query} with {@code limit}; asserts every page's shape. */
    static List<String> pageThrough(ApiClient client, String query, int limit) {
        List<String> ids = new ArrayList<>();
        String path = "/v2/images?" + query + (query.isEmpty() ? "" : "&") + "limit=" + limit;
        for (int pages = 0; path != null; pages++) {
            if (pages > 100) {
                fail("endless paging: " + ids);
            }
            TestResponse r = client.get(path);
            assertEquals(200, r.status(), path + ": " + r.text());
            JsonNode body = r.json();
            assertTrue(body.get("images").size() <= limit, path);
            body.get("images").forEach(i -> ids.add(i.get("id").asText()));
            assertFalse(body.get("first").asText().contains("marker="), body.get("first").asText());
            path = body.has("next") ? body.get("next").asText() : null;
            if (path != null) {
                assertTrue(path.startsWith("/v2/images?") && path.contains("limit=" + limit), path);
                assertEquals(body.get("images").get(body.get("images").size() - 1).get("id").asText(),
                        path.substring(path.indexOf("marker=") + 7));
            }
        }
        return ids;
    }

    /** The same listing in one page. */
    static List<String> onePage(ApiClient client, String query) {
        TestResponse r = client.get("/v2/images?" + query + (query.isEmpty() ? "" : "&") + "limit=1000");
        assertEquals(200, r.status(), r.text());
        assertFalse(r.json().has("next"), "a short page has no next link");
        List<String> ids = new ArrayList<>();
        r.json().get("images").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    static void assertNoDuplicates(List<String> ids) {
        assertEquals(ids.size(), new HashSet<>(ids).size(), "duplicates in " + ids);
    }

    /** Values of {@code key} along {@code ids}: the non-null ones ordered, the nulls in one block at one end. */
    static void assertOrderedBy(List<String> ids, String key, boolean ascending) {
        List<JsonNode> values = ids.stream().map(id -> IMAGES.get(id).get(key)).toList();
        int firstNull = -1;
        int lastNull = -1;
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).isNull()) {
                firstNull = firstNull < 0 ? i : firstNull;
                lastNull = i;
            }
        }
        if (firstNull >= 0) {
            assertEquals(lastNull - firstNull + 1, values.stream().filter(JsonNode::isNull).count(),
                    "nulls not contiguous: " + values);
            assertTrue(firstNull == 0 || lastNull == values.size() - 1, "nulls in the middle: " + values);
        }
        List<JsonNode> present = values.stream().filter(v -> !v.isNull()).toList();
        for (int i = 1; i < present.size(); i++) {
            JsonNode a = present.get(i - 1);
            JsonNode b = present.get(i);
            int cmp = a.isNumber() ? Long.compare(a.asLong(), b.asLong()) : a.asText().compareTo(b.asText());
            assertTrue(ascending ? cmp <= 0 : cmp >= 0, key + " out of order: " + values);
        }
    }

    void checkPaging(String query, String key, boolean ascending) {
        String scoped = "owner=" + PROJECT + (query.isEmpty() ? "" : "&" + query);
        List<String> whole = onePage(owner, scoped);
        assertEquals(IMAGES.keySet(), Set.copyOf(whole), query);
        assertNoDuplicates(whole);
        if (key != null) {
            assertOrderedBy(whole, key, ascending);
        }
        for (int limit : new int[] {1, 3, 4, 14}) {
            List<String> paged = pageThrough(owner, scoped, limit);
            assertNoDuplicates(paged);
            assertEquals(whole, paged, query + " limit " + limit);
        }
    }

    @Test
    void defaultSortIsCreatedAtDescending() {
        checkPaging("", "created_at", false);
    }

    @Test
    void pagingByNameWithNulls() {
        checkPaging("sort_key=name&sort_dir=asc", "name", true);
        checkPaging("sort_key=name&sort_dir=desc", "name", false);
        checkPaging("sort_key=name", "name", false);
        checkPaging("sort=name:asc", "name", true);
    }

    @Test
    void pagingBySizeWithNulls() {
        checkPaging("sort=size:desc", "size", false);
        checkPaging("sort=size:asc", "size", true);
        checkPaging("sort_key=size&sort_dir=asc", "size", true);
    }

    @Test
    void pagingByCompositeSorts() {
        checkPaging("sort=size:asc,name", "size", true);
        checkPaging("sort_key=disk_format&sort_key=name&sort_dir=asc&sort_dir=desc", "disk_format", true);
        checkPaging("sort_key=status&sort_key=size&sort_dir=desc", "status", false);
        checkPaging("sort=created_at:asc", "created_at", true);
        checkPaging("sort=id:asc", "id", true);
        checkPaging("sort=updated_at", "updated_at", false);
        checkPaging("sort=container_format:asc,disk_format:desc,name:asc", null, true);
    }

    @Test
    void pagingWithFilters() {
        checkPagingOf("disk_format=raw", id -> IMAGES.get(id).get("disk_format").asText().equals("raw"));
        checkPagingOf("status=active&sort=name:asc", id -> IMAGES.get(id).get("status").asText().equals("active"));
    }

    private void checkPagingOf(String query, java.util.function.Predicate<String> expected) {
        List<String> whole = onePage(owner, "owner=" + PROJECT + "&" + query);
        assertEquals(IMAGES.keySet().stream().filter(expected).collect(java.util.stream.Collectors.toSet()),
                Set.copyOf(whole), query);
        assertEquals(whole, pageThrough(owner, "owner=" + PROJECT + "&" + query, 2), query);
    }

    @Test
    void adminPagesThroughEveryImage() {
        List<String> whole = onePage(admin, "sort=name:asc");
        assertTrue(whole.containsAll(IMAGES.keySet()) && whole.size() >= IMAGES.size() + 2, whole.toString());
        assertNoDuplicates(whole);
        assertEquals(whole, pageThrough(admin, "sort=name:asc", 4));
        assertEquals(onePage(admin, ""), pageThrough(admin, "", 5));
    }

    @Test
    void nonAdminPagingSkipsOtherProjectsPrivateImages() {
        List<String> paged = pageThrough(owner, "sort=size:desc", 2);
        assertNoDuplicates(paged);
        assertEquals(IMAGES.size() + 1, paged.size(), "own images plus the other project's public one");
        assertEquals(onePage(owner, "sort=size:desc"), paged);
    }

    @Test
    void nextIsGivenOnlyForAFullPage() {
        JsonNode full = owner.get("/v2/images?owner=" + PROJECT + "&limit=2").json();
        assertEquals(2, full.get("images").size());
        assertNotNull(full.get("next"));
        assertEquals("/v2/images?owner=" + PROJECT + "&limit=2", full.get("first").asText());
        JsonNode all = owner.get("/v2/images?owner=" + PROJECT + "&limit=20").json();
        assertEquals(IMAGES.size(), all.get("images").size());
        assertFalse(all.has("next"));
    }

    @Test
    void defaultLimitIs25() {
        ApiClient c = ApiClient.member(ferry, "p-many");
        for (int i = 0; i < 27; i++) {
            c.create("{\"name\":\"many-" + i + "\"}");
        }
        JsonNode page = c.get("/v2/images?owner=p-many").json();
        assertEquals(25, page.get("images").size());
        assertTrue(page.has("next"));
        assertEquals(27, pageThrough(c, "owner=p-many", 25).size());
    }

    @Test
    void badLimitsAre400() {
        assertError(owner.get("/v2/images?limit=ten"), 400, "limit param must be an integer");
        assertError(owner.get("/v2/images?limit=1.5"), 400, "limit param must be an integer");
        assertError(owner.get("/v2/images?limit=-1"), 400, "limit param must be positive");
        // above api_limit_max (1000) the limit is capped, not refused
        assertEquals(200, owner.get("/v2/images?limit=5000").status());
    }

    @Test
    void unknownOrInvisibleMarkers() {
        String unknown = java.util.UUID.randomUUID().toString();
        assertError(owner.get("/v2/images?marker=" + unknown), 400, "No image found with ID " + unknown);
        String hidden = ApiClient.member(ferry, "p-marker").createRaw("\"visibility\":\"private\"");
        assertError(owner.get("/v2/images?marker=" + hidden), 403, "Forbidding request, image " + hidden + " not visible");
        assertEquals(200, admin.get("/v2/images?marker=" + hidden).status());
        // Glance's context.can_see_deleted: an admin may page on from an image deleted meanwhile, others may not
        String gone = owner.createRaw("\"name\":\"marker-gone\"");
        assertEquals(204, owner.delete("/v2/images/" + gone).status());
        assertEquals(200, admin.get("/v2/images?marker=" + gone).status());
        assertError(owner.get("/v2/images?marker=" + gone), 400, "No image found with ID " + gone);
    }

    @Test
    void badSortsAre400() {
        assertError(owner.get("/v2/images?sort_key=owner"), 400, "Invalid sort key");
        assertError(owner.get("/v2/images?sort_key=name&sort_dir=up"), 400, "Invalid sort direction");
        assertError(owner.get("/v2/images?sort=name:sideways"), 400, "Invalid sort direction");
        assertError(owner.get("/v2/images?sort=bogus:asc"), 400, "Invalid sort key");
        assertEquals(400, owner.get("/v2/images?sort=name:asc&sort_key=size").status());
        assertEquals(400, owner.get("/v2/images?sort=name:asc&sort_dir=asc").status());
        assertEquals(400, owner.get("/v2/images?sort_key=name&sort_key=size&sort_key=id"
                + "&sort_dir=asc&sort_dir=desc").status());
    }
}
