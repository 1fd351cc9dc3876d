package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.testing.GlanceStub;
import org.ferry.testing.KeystoneStub;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.data.ImageFixtures.sha512;
import static org.ferry.replication.ReplicationKit.count;
import static org.ferry.replication.ReplicationKit.glanceImage;
import static org.ferry.replication.ReplicationKit.image;
import static org.ferry.replication.ReplicationKit.result;
import static org.ferry.replication.ReplicationKit.runJob;
import static org.ferry.replication.ReplicationKit.show;
import static org.ferry.replication.ReplicationKit.status;
import static org.ferry.replication.ReplicationKit.tasks;
import static org.ferry.testing.GlanceStub.listBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication job end to end, with Keystone: a WireMock Keystone, two source regions (RegionOne a real Ferry,
 * RegionTwo a WireMock Glance that pages its list, serves one image whose data fails and wrongly lists a private
 * image as public) and the target, a third Ferry running the job with its own service user (password login through
 * OpenStack4j). Runs are started and read through the operator API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationRouteTest {
    static final String JOB = "regions";
    static final String OPERATOR = "operator-token";
    static final String MEMBER = "member-token";
    static final String REPLICATOR = "replicator-token";
    static final String[] ADMIN = {"X-Auth-Token", OPERATOR};
    static final String[] NOT_ADMIN = {"X-Auth-Token", MEMBER};

    @TempDir
    static Path dir;
    static KeystoneStub keystone;
    static GlanceStub two;
    static TestFerry one;
    static TestFerry target;

    static final byte[] ALPHA = random(1 << 20, 1);
    static final byte[] BETA = random(300 << 10, 2);
    static final byte[] SECRET = random(10 << 10, 3);
    static final byte[] GAMMA = random(200 << 10, 4);
    static final byte[] BROKEN = random(50 << 10, 5);
    static final byte[] MISLISTED = random(20 << 10, 6);
    static String alpha;
    static String beta;
    static String secret;
    static final String GAMMA_ID = UUID.randomUUID().toString();
    static final String BROKEN_ID = UUID.randomUUID().toString();
    static final String MISLISTED_ID = UUID.randomUUID().toString();

    @BeforeAll
    static void start() {
        keystone = new KeystoneStub();
        two = GlanceStub.started();
        one = TestFerry.start(dir.resolve("one"), keystoneConfig(dir.resolve("one")));
        Map<String, Map<String, String>> c = keystoneConfig(dir.resolve("target"));
        TestFerry.section(c, "replication").put("jobs", JOB);
        TestFerry.section(c, "replication:" + JOB).putAll(Map.of("source_regions", "RegionOne, RegionTwo",
                "concurrency", "2", "auth_url", keystone.url() + "/v3", "username", "replicator",
                "password", "s3cret", "project_name", "service"));
        target = TestFerry.start(dir.resolve("target"), c);

        String catalog = KeystoneStub.imageCatalog("RegionOne", "public", one.url(),
                "RegionTwo", "public", two.baseUrl() + "/v2", "RegionThree", "public", target.url());
        Instant later = Instant.now().plus(2, ChronoUnit.HOURS);
        keystone.token(OPERATOR, "operator", "admin-project", List.of("admin", "member"), later, catalog);
        keystone.token(MEMBER, "someone", "some-project", List.of("member", "reader"), later, catalog);
        keystone.token(REPLICATOR, "replicator", "service-project", List.of("admin"), later, catalog);
        keystone.login("replicator", REPLICATOR, "service-project", List.of("admin"), later, catalog);

        alpha = image(one, "{\"name\":\"alpha\",\"disk_format\":\"qcow2\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\",\"min_disk\":2,\"min_ram\":512,\"tags\":[\"golden\",\"base\"],"
                + "\"os_distro\":\"ubuntu\",\"release\":\"1\",\"hw_firmware_type\":\"uefi\"}", ALPHA, ADMIN);
        beta = image(one, "{\"name\":\"beta\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                + "\"visibility\":\"public\"}", BETA, ADMIN);
        secret = image(one, "{\"name\":\"secret\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                + "\"visibility\":\"private\"}", SECRET, ADMIN);

        ObjectNode gamma = glanceImage(GAMMA_ID, "gamma", "public", GAMMA);
        ObjectNode broken = glanceImage(BROKEN_ID, "broken", "public", BROKEN);
        ObjectNode mislisted = glanceImage(MISLISTED_ID, "mislisted", "private", MISLISTED);
        two.image(gamma, GAMMA).image(broken, BROKEN).image(mislisted, MISLISTED);
        two.stubFor(get(urlPathEqualTo("/v2/images/" + BROKEN_ID + "/file")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody("disk on fire")));
        // RegionTwo pages its list (two pages) and wrongly includes a private image in the public listing
        two.stubFor(get(urlPathEqualTo("/v2/images")).withQueryParam("visibility", equalTo("public"))
                .withQueryParam("marker", absent()).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(listBody(List.of(gamma, mislisted),
                                "/v2/images?visibility=public&limit=100&marker=" + MISLISTED_ID))));
        two.stubFor(get(urlPathEqualTo("/v2/images")).withQueryParam("visibility", equalTo("public"))
                .withQueryParam("marker", equalTo(MISLISTED_ID)).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody(listBody(List.of(broken), null))));
    }

    static Map<String, Map<String, String>> keystoneConfig(Path d) {
        Map<String, Map<String, String>> c = TestFerry.anyPortConfig(d);
        TestFerry.keystone(c, keystone.url());
        return c;
    }

    @AfterAll
    static void stop() {
        TestFerry.closeAll(target, one);
        two.stop();
        keystone.close();
    }

    @Test
    @Order(1)
    void firstRunCopiesEveryPublicImageWithItsIdAndVerifiedData() {
        JsonNode run = runJob(target, JOB, ADMIN);

        assertEquals("partial", run.get("status").asText(), run.toString());
        assertEquals(5, count(run, "seen"), run.toString()); // alpha, beta (RegionOne); gamma, broken, mislisted
        assertEquals(3, count(run, "copied"), run.toString());
        assertEquals(1, count(run, "failed"), run.toString());
        assertEquals(1, count(run, "skipped"), run.toString());
        assertEquals(ALPHA.length + BETA.length + GAMMA.length, run.get("bytes").asLong());

        assertCopy(alpha, ALPHA, one);
        assertCopy(beta, BETA, one);
        assertCopy(GAMMA_ID, GAMMA, null);
        JsonNode a = show(target, alpha, ADMIN);
        assertEquals("alpha", a.get("name").asText());
        assertEquals("qcow2", a.get("disk_format").asText());
        assertEquals("public", a.get("visibility").asText());
        assertEquals(2, a.get("min_disk").asInt());
        assertEquals(512, a.get("min_ram").asInt());
        assertEquals(Set.of("golden", "base"), tags(a));
        assertEquals("ubuntu", a.get("os_distro").asText());
        assertEquals("1", a.get("release").asText());
        assertEquals("uefi", a.get("hw_firmware_type").asText());

        // the private images are never copied: RegionOne does not list its own, RegionTwo's is refused here
        assertEquals(404, status(target, secret, ADMIN));
        assertEquals(404, status(target, MISLISTED_ID, ADMIN));
        assertTrue(result(run, MISLISTED_ID).get("detail").asText().contains("visibility private"), run.toString());
        two.verify(0, getRequestedFor(urlPathEqualTo("/v2/images/" + MISLISTED_ID + "/file")));

        // the failing image is reported with the reason; the others succeeded around it
        JsonNode broken = result(run, BROKEN_ID);
        assertEquals("failed", broken.get("status").asText());
        assertTrue(broken.get("detail").asText().contains("import in the target failed"), broken.toString());
        assertTrue(broken.get("detail").asText().contains("500"), broken.toString());
        assertEquals(BROKEN_ID, run.get("errors").get(0).get("image_id").asText(), run.toString());
        assertEquals("queued", show(target, BROKEN_ID, ADMIN).get("status").asText());
    }

    @Test
    @Order(2)
    void aSecondRunCopiesNothing() {
        JsonNode run = runJob(target, JOB, ADMIN);

        assertEquals(0, count(run, "copied"), run.toString());
        assertEquals(0, count(run, "updated"), run.toString());
        assertEquals(4, count(run, "skipped"), run.toString()); // three up to date, one not selected
        assertEquals(1, count(run, "failed"), run.toString()); // still broken at the source
        assertEquals(0, run.get("bytes").asLong());
        assertEquals("up to date", result(run, alpha).get("detail").asText());
        assertEquals(1, tasks(target, alpha, ADMIN).size(), "no second import of alpha");
    }

    @Test
    @Order(3)
    void changedMetadataIsUpdatedWithoutMovingData() {
        var patched = one.patch("/v2/images/" + alpha, "[{\"op\":\"replace\",\"path\":\"/release\",\"value\":\"2\"},"
                + "{\"op\":\"remove\",\"path\":\"/hw_firmware_type\"},{\"op\":\"add\",\"path\":\"/tags\","
                + "\"value\":[\"golden\",\"lts\"]},{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"alpha-2\"},"
                + "{\"op\":\"replace\",\"path\":\"/min_ram\",\"value\":1024}]", ADMIN);
        assertEquals(200, patched.status(), patched.text());

        JsonNode run = runJob(target, JOB, ADMIN);

        assertEquals(1, count(run, "updated"), run.toString());
        assertEquals(0, count(run, "copied"), run.toString());
        assertEquals("updated", result(run, alpha).get("status").asText());
        JsonNode a = show(target, alpha, ADMIN);
        assertEquals("alpha-2", a.get("name").asText());
        assertEquals("2", a.get("release").asText());
        assertTrue(a.path("hw_firmware_type").isMissingNode(), a.toString());
        assertEquals(Set.of("golden", "lts"), tags(a));
        assertEquals(1024, a.get("min_ram").asInt());
        assertEquals(md5(ALPHA), a.get("checksum").asText());
        assertEquals(1, tasks(target, alpha, ADMIN).size(), "the update moved no data");
    }

    @Test
    @Order(4)
    void aFailedImageIsCopiedByALaterRunOnceItsSourceIsFixed() {
        two.stubFor(get(urlPathEqualTo("/v2/images/" + BROKEN_ID + "/file")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withBody(BROKEN)));

        JsonNode run = runJob(target, JOB, ADMIN);

        assertEquals("succeeded", run.get("status").asText(), run.toString());
        assertEquals(1, count(run, "copied"), run.toString());
        assertCopy(BROKEN_ID, BROKEN, null);
    }

    @Test
    @Order(5)
    void theOperatorSurfaceIsForAdminsOnly() {
        assertEquals(403, target.get("/ferry/replication/jobs", NOT_ADMIN).status());
        assertEquals(403, target.get("/ferry/replication/jobs/" + JOB + "/runs", NOT_ADMIN).status());
        assertEquals(403, target.postJson("/ferry/replication/jobs/" + JOB + "/run", "", NOT_ADMIN).status());
        assertEquals(401, target.get("/ferry/replication/jobs").status());
        assertEquals(404, target.get("/ferry/replication/jobs/nope/runs", ADMIN).status());
        assertEquals(404, target.postJson("/ferry/replication/jobs/nope/run", "", ADMIN).status());

        JsonNode jobs = target.get("/ferry/replication/jobs", ADMIN).json().get("jobs");
        assertEquals(1, jobs.size());
        JsonNode j = jobs.get(0);
        assertEquals(JOB, j.get("name").asText());
        assertEquals("[\"RegionOne\",\"RegionTwo\"]", j.get("source_regions").toString());
        assertEquals("this Ferry", j.get("target").asText());
        assertEquals("password", j.get("auth").asText());
        assertEquals(false, j.get("running").asBoolean());
        assertEquals("succeeded", j.get("last_run").get("status").asText());

        JsonNode runs = target.get("/ferry/replication/jobs/" + JOB + "/runs", ADMIN).json().get("runs");
        assertEquals(4, runs.size(), runs.toString());
        assertEquals("succeeded", runs.get(0).get("status").asText()); // newest first
        assertEquals("partial", runs.get(3).get("status").asText());
        assertEquals("api", runs.get(3).get("trigger").asText());
        assertEquals(1, target.get("/ferry/replication/jobs/" + JOB + "/runs?limit=1", ADMIN).json()
                .get("runs").size());
    }

    /** The target holds the image under the source's id with the source's data (and, for RegionOne, its digests). */
    static void assertCopy(String id, byte[] data, TestFerry source) {
        JsonNode copy = show(target, id, ADMIN);
        assertEquals("active", copy.get("status").asText(), copy.toString());
        assertEquals(id, copy.get("id").asText());
        assertEquals(data.length, copy.get("size").asLong());
        assertEquals(md5(data), copy.get("checksum").asText());
        assertEquals(sha512(data), copy.get("os_hash_value").asText());
        if (source != null) {
            JsonNode src = show(source, id, ADMIN);
            assertEquals(src.get("checksum").asText(), copy.get("checksum").asText());
            assertEquals(src.get("os_hash_value").asText(), copy.get("os_hash_value").asText());
        }
    }

    static Set<String> tags(JsonNode img) {
        Set<String> t = new TreeSet<>();
        img.get("tags").forEach(n -> t.add(n.asText()));
        return t;
    }
}
