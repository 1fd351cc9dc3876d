package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.ferry.testing.TestFerry.TestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference §2.7: GET /v2/images filters and visibility scoping (paging and sorting: ImageListPagingTest). */
class ImageListTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass();
    static final ApiClient admin = ApiClient.admin(ferry);

    /** Names of the images a list answer holds (every test names its images uniquely). */
    static Set<String> names(TestResponse r) {
        assertEquals(200, r.status(), r.text());
        Set<String> out = new TreeSet<>();
        r.json().get("images").forEach(i -> out.add(i.get("name").asText()));
        return out;
    }

    /** GET /v2/images?owner={project}&{query} as {@code client}. */
    static Set<String> list(ApiClient client, String project, String query) {
        return names(client.get("/v2/images?owner=" + project + (query.isEmpty() ? "" : "&" + query)));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aListHasImagesFirstAndSchema() {
        ApiClient c = ApiClient.member(ferry, "p-shape");
        c.createRaw("\"name\":\"shape-1\"");
        TestResponse r = c.get("/v2/images");
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode body = r.json();
        assertTrue(body.get("images").isArray());
        assertEquals("/v2/images", body.get("first").asText());
        assertEquals("/v2/schemas/images", body.get("schema").asText());
        assertFalse(body.has("next"), body.toString());
        JsonNode listed = body.get("images").get(0);
        assertEquals(c.show(listed.get("id").asText()), listed);
        JsonNode filtered = c.get("/v2/images?name=shape-1&tag=x&tag=y&marker=" + listed.get("id").asText()).json();
        assertEquals("/v2/images?name=shape-1&tag=x&tag=y", filtered.get("first").asText());
    }

    @Test
    void exactFiltersOnCoreColumns() {
        String p = "p-core";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"core-qcow\",\"disk_format\":\"qcow2\",\"container_format\":\"ovf\"}");
        c.create("{\"name\":\"core-raw\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
        c.createActive("\"name\":\"core-active\"", 64);
        assertEquals(Set.of("core-raw"), list(c, p, "name=core-raw"));
        assertEquals(Set.of(), list(c, p, "name=core"));
        assertEquals(Set.of("core-active"), list(c, p, "status=active"));
        assertEquals(Set.of("core-qcow", "core-raw"), list(c, p, "status=queued"));
        assertEquals(Set.of("core-qcow"), list(c, p, "disk_format=qcow2"));
        assertEquals(Set.of("core-raw", "core-active"), list(c, p, "container_format=bare"));
        assertEquals(Set.of("core-qcow", "core-raw", "core-active"), list(c, p, ""));
        assertEquals(Set.of(), list(c, "p-nobody", ""));
    }

    @Test
    void sizeFilters() {
        String p = "p-size";
        ApiClient c = ApiClient.member(ferry, p);
        c.createActive("\"name\":\"s10\"", 10);
        c.createActive("\"name\":\"s20\"", 20);
        c.createActive("\"name\":\"s30\"", 30);
        c.createRaw("\"name\":\"s-null\"");
        assertEquals(Set.of("s20"), list(c, p, "size=20"));
        assertEquals(Set.of("s20", "s30"), list(c, p, "size_min=20"));
        assertEquals(Set.of("s10", "s20"), list(c, p, "size_max=20"));
        assertEquals(Set.of("s20"), list(c, p, "size_min=15&size_max=25"));
        assertError(c.get("/v2/images?size_min=big"), 400, "Unable to filter on a range with a non-numeric value.");
        assertError(c.get("/v2/images?size_max=1.5"), 400, "Unable to filter on a range with a non-numeric value.");
        assertEquals(400, c.get("/v2/images?size=ten").status());
    }

    @Test
    void ownerFilterForAdmin() {
        ApiClient.member(ferry, "p-own1").createRaw("\"name\":\"own1\"");
        ApiClient.member(ferry, "p-own2").createRaw("\"name\":\"own2\",\"visibility\":\"private\"");
        assertEquals(Set.of("own1"), list(admin, "p-own1", ""));
        assertEquals(Set.of("own2"), list(admin, "p-own2", ""));
    }

    @Test
    void tagsAreAndedWhenRepeated() {
        String p = "p-tag";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"tag-ab\",\"tags\":[\"a\",\"b\"]}");
        c.create("{\"name\":\"tag-a\",\"tags\":[\"a\"]}");
        c.create("{\"name\":\"tag-bc\",\"tags\":[\"b\",\"c\"]}");
        assertEquals(Set.of("tag-ab", "tag-a"), list(c, p, "tag=a"));
        assertEquals(Set.of("tag-ab"), list(c, p, "tag=a&tag=b"));
        assertEquals(Set.of(), list(c, p, "tag=a&tag=c"));
        assertEquals(Set.of("tag-bc"), list(c, p, "tag=c"));
    }

    @Test
    void protectedFilter() {
        String p = "p-prot";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"prot-yes\",\"protected\":true}");
        c.create("{\"name\":\"prot-no\"}");
        assertEquals(Set.of("prot-yes"), list(c, p, "protected=true"));
        assertEquals(Set.of("prot-no"), list(c, p, "protected=false"));
        assertError(c.get("/v2/images?protected=maybe"), 400, "maybe");
    }

    @Test
    void hiddenImagesAreLeftOutUnlessAskedFor() {
        String p = "p-hidden";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"hid-yes\",\"os_hidden\":true}");
        c.create("{\"name\":\"hid-no\"}");
        assertEquals(Set.of("hid-no"), list(c, p, ""));
        assertEquals(Set.of("hid-yes"), list(c, p, "os_hidden=true"));
        assertEquals(Set.of("hid-no"), list(c, p, "os_hidden=false"));
        assertEquals(Set.of("hid-no"), list(admin, p, ""));
        assertError(c.get("/v2/images?os_hidden=sometimes"), 400, "sometimes");
    }

    @Test
    void extraPropertyFilters() {
        String p = "p-prop";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"prop-ubuntu\",\"os_distro\":\"ubuntu\",\"hw_disk_bus\":\"scsi\"}");
        c.create("{\"name\":\"prop-fedora\",\"os_distro\":\"fedora\",\"hw_disk_bus\":\"scsi\"}");
        c.create("{\"name\":\"prop-none\"}");
        assertEquals(Set.of("prop-ubuntu"), list(c, p, "os_distro=ubuntu"));
        assertEquals(Set.of("prop-ubuntu", "prop-fedora"), list(c, p, "hw_disk_bus=scsi"));
        assertEquals(Set.of("prop-fedora"), list(c, p, "hw_disk_bus=scsi&os_distro=fedora"));
        assertEquals(Set.of(), list(c, p, "os_distro=debian"));
    }

    @Test
    void inAndEqOperators() {
        String p = "p-in";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"in-a\",\"disk_format\":\"raw\"}");
        c.create("{\"name\":\"in-b\",\"disk_format\":\"qcow2\"}");
        c.create("{\"name\":\"in-c\",\"disk_format\":\"iso\"}");
        assertEquals(Set.of("in-a", "in-b"), list(c, p, "name=" + enc("in:\"in-a\",\"in-b\"")));
        assertEquals(Set.of("in-b", "in-c"), list(c, p, "disk_format=" + enc("in:qcow2,iso")));
        assertEquals(Set.of("in-c"), list(c, p, "disk_format=" + enc("eq:iso")));
        assertEquals(400, c.get("/v2/images?disk_format=" + enc("gt:raw")).status());
        // Glance's split_filter_value_for_quotes: a quoted item may hold a comma; misplaced quotes are 400
        c.create("{\"name\":\"in-d,e\"}");
        assertEquals(Set.of("in-d,e", "in-a"), list(c, p, "name=" + enc("in:\"in-d,e\",in-a")));
        assertError(c.get("/v2/images?name=" + enc("in:\"in-a")), 400, "The quote is not closed.");
        assertError(c.get("/v2/images?name=" + enc("in:x\"in-a\"")), 400, "no comma before opening quotation mark");
        assertError(c.get("/v2/images?name=" + enc("in:\"in-a\"x")), 400, "no comma after closing quotation mark");
    }

    /** Glance's split_filter_op: any text before a colon is an operator, for names too (eq: quotes a colon). */
    @Test
    void aColonInAFilterValueNamesAnOperator() {
        String p = "p-colon";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"ubuntu:22.04\"}");
        assertError(c.get("/v2/images?name=" + enc("ubuntu:22.04")), 400, "Unable to filter by unknown operator 'ubuntu'.");
        assertError(c.get("/v2/images?status=" + enc("Active:x")), 400, "Unable to filter by unknown operator 'Active'.");
        assertEquals(Set.of("ubuntu:22.04"), list(c, p, "name=" + enc("eq:ubuntu:22.04")));
    }

    /** Glance reads the filters into a dict: a repeated filter key counts with its last value (tags excepted). */
    @Test
    void aRepeatedFilterKeyMeansItsLastValue() throws InterruptedException {
        String p = "p-repeat";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"rep-a\"}");
        Thread.sleep(1100);
        String cut = c.create("{\"name\":\"rep-b\"}").get("created_at").asText();
        assertEquals(Set.of("rep-b"), list(c, p, "name=rep-a&name=rep-b"));
        assertEquals(Set.of("rep-b"), list(c, p, "created_at=" + enc("lt:" + cut) + "&created_at=" + enc("gte:" + cut)));
    }

    @Test
    void dateFilters() throws InterruptedException {
        String p = "p-date";
        ApiClient c = ApiClient.member(ferry, p);
        c.create("{\"name\":\"date-old\"}");
        Thread.sleep(1100);
        String cut = c.create("{\"name\":\"date-new\"}").get("created_at").asText();
        assertEquals(Set.of("date-new"), list(c, p, "created_at=" + enc("gt:" + cut)));
        assertEquals(Set.of("date-new"), list(c, p, "created_at=" + enc("gte:" + cut)));
        assertEquals(Set.of("date-old"), list(c, p, "created_at=" + enc("lt:" + cut)));
        assertEquals(Set.of("date-new", "date-old"), list(c, p, "updated_at=" + enc("gt:2000-01-01T00:00:00Z")));
        // a bare ISO 8601 time means eq (Glance's split_filter_op), not an unknown operator
        assertEquals(200, c.get("/v2/images?created_at=" + enc(cut)).status());
        assertEquals(Set.of("date-old"), list(c, p, "created_at=" + enc("lt:" + cut.replace("Z", "+00:00"))));
        // iso8601 takes a date alone as its midnight (UTC)
        assertEquals(Set.of("date-new", "date-old"), list(c, p, "created_at=" + enc("gt:2000-01-01")));
        assertEquals(Set.of(), list(c, p, "updated_at=" + enc("lt:2000-01-01")));
        // Glance parses the time before it looks at the operator
        String badDate = "Bad \"created_at\" query filter format. Use ISO 8601 DateTime notation.";
        assertError(c.get("/v2/images?created_at=" + enc("gt:yesterday")), 400, badDate);
        assertError(c.get("/v2/images?created_at=yesterday"), 400, badDate);
        assertError(c.get("/v2/images?created_at=" + enc("after:yesterday")), 400, badDate);
        assertError(c.get("/v2/images?created_at=" + enc("after:" + cut)), 400, "Unable to filter on a unknown operator.");
    }

    @Test
    void badParametersAre400() {
        ApiClient c = ApiClient.member(ferry, "p-bad");
        assertError(c.get("/v2/images?changes-since=2020-01-01T00:00:00Z"), 400,
                "The \"changes-since\" filter is no longer available on v2.");
        assertError(c.get("/v2/images?visibility=everyone"), 400, "Invalid visibility value: everyone");
        assertError(c.get("/v2/images?member_status=maybe"), 400, "Invalid status: maybe");
        // Glance lower-cases os_hidden but not protected
        assertError(c.get("/v2/images?os_hidden=Sometimes"), 400,
                "Invalid value 'sometimes' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
        assertEquals(200, c.get("/v2/images?os_hidden=TRUE").status());
        assertError(c.get("/v2/images?protected=True"), 400,
                "Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.");
    }

    @Test
    void nonAdminsSeeOwnPublicAndSharedWithThemButNotOthersPrivate() {
        String a = "p-vis-a";
        ApiClient alice = ApiClient.member(ferry, a);
        ApiClient bob = ApiClient.member(ferry, "p-vis-b");
        alice.create("{\"name\":\"vis-private\",\"visibility\":\"private\"}");
        alice.create("{\"name\":\"vis-shared\",\"visibility\":\"shared\"}");
        alice.create("{\"name\":\"vis-community\",\"visibility\":\"community\"}");
        admin.create("{\"name\":\"vis-public\",\"visibility\":\"public\",\"owner\":\"" + a + "\"}");
        Set<String> all = Set.of("vis-private", "vis-shared", "vis-community", "vis-public");

        assertEquals(all, list(alice, a, ""));
        assertEquals(Set.of("vis-public"), list(bob, a, ""));
        assertTrue(names(bob.get("/v2/images")).contains("vis-public"));
        assertFalse(names(bob.get("/v2/images?limit=1000")).contains("vis-private"));
        assertEquals(Set.of("vis-community"), list(bob, a, "visibility=community"));
        assertEquals(Set.of("vis-public", "vis-community"), list(bob, a, "visibility=all"));
        assertEquals(Set.of(), list(bob, a, "visibility=private"));
        assertEquals(Set.of(), list(bob, a, "visibility=shared"));
        assertEquals(Set.of("vis-public"), list(bob, a, "visibility=public"));

        assertEquals(Set.of("vis-private"), list(alice, a, "visibility=private"));
        assertEquals(Set.of("vis-shared"), list(alice, a, "visibility=shared"));
        assertEquals(all, list(alice, a, "visibility=all"));

        // Glance's _image_get_all: without a visibility filter, community images only of the caller's project,
        // for admins too
        assertEquals(Set.of("vis-private", "vis-shared", "vis-public"), list(admin, a, ""));
        assertEquals(all, list(admin, a, "visibility=all"));
        assertEquals(Set.of("vis-private"), list(admin, a, "visibility=private"));
    }

    /**
     * Issue 12 defect 1: a non-admin's public and community lists bound parameters their SQL did not declare, which
     * JDBI refuses (500) when the query declares none, i.e. without any other filter or marker.
     */
    @Test
    void nonAdminsListPublicAndCommunityImagesWithoutOtherFilters() {
        String a = "p-pubcom-a";
        ApiClient alice = ApiClient.member(ferry, a);
        admin.create("{\"name\":\"pubcom-public\",\"visibility\":\"public\",\"owner\":\"" + a + "\"}");
        alice.create("{\"name\":\"pubcom-community\",\"visibility\":\"community\"}");
        alice.create("{\"name\":\"pubcom-private\",\"visibility\":\"private\"}");
        for (ApiClient c : List.of(ApiClient.member(ferry, "p-pubcom-b"), ApiClient.as(ferry, "p-pubcom-c", "reader"))) {
            for (String status : List.of("", "&member_status=pending", "&member_status=all")) {
                Set<String> pub = names(c.get("/v2/images?limit=1000&visibility=public" + status));
                assertTrue(pub.contains("pubcom-public"), pub.toString());
                assertFalse(pub.contains("pubcom-community") || pub.contains("pubcom-private"), pub.toString());
                Set<String> com = names(c.get("/v2/images?limit=1000&visibility=community" + status));
                assertTrue(com.contains("pubcom-community"), com.toString());
                assertFalse(com.contains("pubcom-public") || com.contains("pubcom-private"), com.toString());
            }
        }
    }

    @Test
    void aReaderMayListARoleWithoutReaderMayNot() {
        assertEquals(200, ApiClient.as(ferry, "p-reader", "reader").get("/v2/images").status());
        assertEquals(403, ApiClient.as(ferry, "p-reader", "observer").get("/v2/images").status());
    }
}
