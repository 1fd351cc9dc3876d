package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertActive;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.importImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.tasks;
import static org.ferry.routes.RouteKit.uploaded;
import static org.ferry.routes.RouteKit.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /import checks in the order of §4.2: each request breaks two rules, and the earlier one must answer. */
class ImportValidationTest {
    static final String[] MEMBER = {"X-Project-Id", "val", "X-User-Id", "val-user", "X-Roles", "member,reader"};
    static final String[] READER = {"X-Project-Id", "val", "X-User-Id", "val-reader", "X-Roles", "reader"};
    static final String[] OTHER = {"X-Project-Id", "other", "X-User-Id", "other-user", "X-Roles", "member,reader"};
    static final String WEB = "{\"method\":{\"name\":\"web-download\",\"uri\":\"%s\"}}";

    static WireMockServer web;
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass().anyPort();
    static String queued;
    static String active;
    static String url;

    @BeforeAll
    static void start() {
        web = TestFerry.wiremock();
        queued = create(ferry, MEMBER);
        active = uploaded(ferry, random(4096), MEMBER);
        url = "http://127.0.0.1:" + web.port() + "/img";
        web.stubFor(get(urlPathEqualTo("/img")).willReturn(aResponse().withBody(random(4096))));
    }

    @AfterAll
    static void stop() {
        web.stop();
    }

    private static void refused(int status, String message, String id, String body, String... headers) {
        var r = body == null ? ferry.call("POST", "/v2/images/" + id + "/import", null, null, headers)
                : importImage(ferry, id, body, headers);
        assertEquals(status, r.status(), r.text());
        assertTrue(r.text().contains(message), "expected '" + message + "' in: " + r.text());
    }

    private static String web(String uri) {
        return String.format(WEB, uri);
    }

    @Test
    void bodyMethodNameAndFlagsComeBeforeTheImage() {
        String missing = uuid();
        refused(400, "Body expected in request.", missing, null, MEMBER);
        refused(400, "Malformed JSON in request body.", missing, "{\"method\":", MEMBER);
        refused(400, "Import request requires a 'method' field.", missing, "{}", MEMBER);
        refused(400, "Import request requires a 'method' field.", missing, "{\"stores\":[\"x\"]}", MEMBER);
        refused(400, "Import request requires a 'name' field.", missing, "{\"method\":{}}", MEMBER);
        refused(400, "Unknown import method name 'foo'.", missing, "{\"method\":{\"name\":\"foo\"}}", MEMBER);
        refused(400, "'all_stores_must_succeed' must be boolean value only", missing,
                "{\"method\":{\"name\":\"web-download\"},\"all_stores_must_succeed\":\"yes\"}", MEMBER);
        refused(400, "'all_stores' must be boolean value only", missing,
                "{\"method\":{\"name\":\"copy-image\"},\"all_stores\":1}", MEMBER);
        refused(404, "", missing, web(url), MEMBER);
        // another project's private image is not visible: 404 as if it did not exist
        refused(404, "", queued, web(url), OTHER);
    }

    @Test
    void statusChecksComeBeforeFormatsAndGlanceDownloadFields() {
        refused(409, "Image with status active cannot be target for import", active,
                "{\"method\":{\"name\":\"glance-download\"}}", MEMBER);
        refused(409, "Only images with status active can be targeted for copying", queued,
                "{\"method\":{\"name\":\"copy-image\"},\"stores\":[\"nope\"]}", MEMBER);
        String staged = create(ferry, MEMBER);
        assertEquals(204, ferry.putData("/v2/images/" + staged + "/stage", random(100), MEMBER).status());
        refused(409, "Image needs to be in 'queued' state to use 'web-download' method", staged, web("ftp://x"), MEMBER);
        refused(409, "Image needs to be in 'queued' state to use 'glance-download' method", staged,
                "{\"method\":{\"name\":\"glance-download\"}}", MEMBER);
        refused(409, "Image needs to be staged before 'glance-direct' method can be used", queued,
                "{\"method\":{\"name\":\"glance-direct\"},\"stores\":[\"nope\"]}", MEMBER);

        String noFormats = create(ferry, "{}", MEMBER);
        refused(409, "'container_format' needs to be set before import", noFormats,
                "{\"method\":{\"name\":\"glance-download\"}}", MEMBER);
        String noDisk = create(ferry, "{\"container_format\":\"bare\"}", MEMBER);
        refused(409, "'disk_format' needs to be set before import", noDisk,
                "{\"method\":{\"name\":\"glance-download\"}}", MEMBER);
    }

    @Test
    void glanceDownloadFieldsComeBeforePolicy() {
        refused(400, "'glance_region' needs to be set for glance-download import method", queued,
                "{\"method\":{\"name\":\"glance-download\"}}", READER);
        refused(400, "'glance_image_id' needs to be set for glance-download import method", queued,
                "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"R\"}}", READER);
        refused(400, "Remote image id does not look like a UUID: foo", queued,
                "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"R\",\"glance_image_id\":\"foo\"}}", READER);
        refused(400, "Remote image id does not look like a UUID: 1-1-1-1-1", queued,
                "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"R\",\"glance_image_id\":\"1-1-1-1-1\"}}",
                READER);
        // valid id, but a reader may not modify the image
        refused(403, "", queued, "{\"method\":{\"name\":\"glance-download\",\"glance_region\":\"R\","
                + "\"glance_image_id\":\"" + uuid() + "\"}}", READER);
        refused(403, "", queued, web(url), READER);
        refused(403, "", active, "{\"method\":{\"name\":\"copy-image\"},\"stores\":[\"nope\"]}", MEMBER);
    }

    @Test
    void aLiveLockComesBeforeStoreResolution() {
        String id = create(ferry, MEMBER);
        Instant now = ImageRepository.now();
        String holder = uuid();
        new TaskRepository(ferry.ferry().database().jdbi()).create(new Task(holder, "api_image_import",
                Task.PROCESSING, "val", id, "req-x", "val-user", "{}", null, "", null, now, now));
        new ImageRepository(ferry.ferry().database().jdbi()).setPropertyIfAbsent(id, RouteKit.LOCK, holder);
        refused(409, "Image has active task", id, "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + url
                + "\"},\"stores\":[\"nope\"]}", MEMBER);
        new ImageRepository(ferry.ferry().database().jdbi()).deletePropertyIfValue(id, RouteKit.LOCK, holder);
    }

    @Test
    void storeResolution() {
        refused(400, "All_stores parameter can't be used with x-image-meta-store header or stores parameter", queued,
                "{\"method\":{\"name\":\"web-download\",\"uri\":\"ftp://x\"},\"all_stores\":true,\"stores\":[\"fast\"]}",
                MEMBER);
        refused(400, "All_stores parameter can't be used with x-image-meta-store header or stores parameter", queued,
                "{\"method\":{\"name\":\"web-download\",\"uri\":\"ftp://x\"},\"all_stores\":true}",
                ImageFixtures.concat(MEMBER, "X-Image-Meta-Store", "fast"));
        refused(400, "Stores parameter and x-image-meta-store header can't be both specified", queued,
                "{\"method\":{\"name\":\"web-download\",\"uri\":\"ftp://x\"},\"stores\":[\"nope\"]}",
                ImageFixtures.concat(MEMBER, "X-Image-Meta-Store", "fast"));
        refused(409, "Store for identifier x not found", queued,
                "{\"method\":{\"name\":\"web-download\",\"uri\":\"ftp://x\"},\"stores\":[\"fast\",\"x\"]}", MEMBER);
        refused(409, "Store for identifier y not found", queued, web("ftp://x"),
                ImageFixtures.concat(MEMBER, "X-Image-Meta-Store", "y"));
        refused(409, "Store for identifier os_glance_staging_store not found", queued,
                "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + url + "\"},\"stores\":[\"os_glance_staging_store\"]}",
                MEMBER);
        // the URI is checked last
        refused(400, "URI for web-download does not pass filtering: ftp://x", queued, web("ftp://x"), MEMBER);
        refused(400, "URI for web-download does not pass filtering", queued,
                "{\"method\":{\"name\":\"web-download\"}}", MEMBER);
        assertEquals(0, tasks(ferry, queued, MEMBER).size(), "no refused request may leave a task");
        assertEquals("queued", show(ferry, queued, MEMBER).get("status").asText());
    }

    @Test
    void theImageIsImportingAtOnceAndTheTaskRecordsTheRequest() {
        byte[] data = random(300_000);
        web.stubFor(get(urlPathEqualTo("/slow")).willReturn(aResponse().withBody(data).withFixedDelay(1500)));
        String id = create(ferry, MEMBER);
        var r = accepted(ferry, id, "{\"method\":{\"name\":\"web-download\",\"uri\":\"http://127.0.0.1:" + web.port()
                + "/slow\"},\"stores\":[\"cheap\"]}", ImageFixtures.concat(MEMBER, "X-Openstack-Request-ID", "my-req-1"));
        JsonNode now = show(ferry, id, MEMBER);
        assertEquals("importing", now.get("status").asText(), now.toString());
        assertEquals("cheap", now.get(RouteKit.IMPORTING).asText());
        assertTrue(now.has(RouteKit.LOCK), now.toString());
        assertEquals("req-my-req-1", r.header("x-openstack-request-id"));
        assertEquals(0, r.body().length);

        JsonNode task = awaitTask(ferry, id, "success", MEMBER);
        assertEquals(r.header("x-openstack-request-id"), task.get("request_id").asText());
        assertEquals("web-download", task.get("input").get("import_req").get("method").get("name").asText());
        assertEquals("cheap", task.get("input").get("backend").get(0).asText());
        assertEquals("api_image_import", task.get("type").asText());
        assertEquals("val", task.get("owner").asText());
        assertEquals("val-user", task.get("user_id").asText());
        assertActive(show(ferry, id, MEMBER), data, "cheap");
        // a second import of an active image
        refused(409, "Image with status active cannot be target for import", id, web(url), MEMBER);
    }
}
