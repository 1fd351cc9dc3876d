package org.ferry.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.ferry.data.ImageFixtures;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.routes.RouteKit.FAILED;
import static org.ferry.routes.RouteKit.accepted;
import static org.ferry.routes.RouteKit.assertBackToQueued;
import static org.ferry.routes.RouteKit.awaitTask;
import static org.ferry.routes.RouteKit.create;
import static org.ferry.routes.RouteKit.failure;
import static org.ferry.routes.RouteKit.importImage;
import static org.ferry.routes.RouteKit.show;
import static org.ferry.routes.RouteKit.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Imports without enabled_backends (§4.1, §4.2 #25): store parameters are ignored, stores are never recorded. */
class SingleStoreImportTest {
    static WireMockServer web;
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass((dir, c) -> {
        c.get("DEFAULT").remove("enabled_backends");
        c.remove("fast");
        c.remove("cheap");
        TestFerry.section(c, "glance_store").remove("default_backend");
        TestFerry.section(c, "glance_store").put("filesystem_store_datadir", dir.resolve("images").toString());
    }).anyPort();
    static String base;

    @BeforeAll
    static void start() {
        web = TestFerry.wiremock();
        base = "http://127.0.0.1:" + web.port();
    }

    @AfterAll
    static void stop() {
        web.stop();
    }

    private static String webDownload(String path, String extra) {
        return "{\"method\":{\"name\":\"web-download\",\"uri\":\"" + base + path + "\"}" + extra + "}";
    }

    @Test
    void allStoresMustSucceedFalseNeedsMultistore() {
        String id = create(ferry);
        var r = importImage(ferry, id, webDownload("/x", ",\"all_stores_must_succeed\":false"));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.text().contains("All_stores_must_succeed can only be set with enabled_backends"), r.text());
        assertEquals(0, tasks(ferry, id).size());
    }

    @Test
    void storeParametersAreIgnoredAndNothingIsRecorded() {
        byte[] data = random(150_000);
        web.stubFor(get(urlPathEqualTo("/single")).willReturn(aResponse().withBody(data)));
        String id = create(ferry);
        // tempest sends all_stores even on single-store clouds; unknown store ids are not even looked at
        accepted(ferry, id, webDownload("/single", ",\"all_stores\":true,\"all_stores_must_succeed\":true"));
        JsonNode task = awaitTask(ferry, id, "success");
        assertTrue(task.get("input").get("backend").isArray());
        JsonNode img = show(ferry, id);
        assertEquals("active", img.get("status").asText());
        assertFalse(img.has("stores"), img.toString());
        assertEquals("", img.get(FAILED).asText());
        assertEquals("", img.get(RouteKit.IMPORTING).asText());
        assertEquals(ImageFixtures.sha512(data), img.get("os_hash_value").asText());

        String other = create(ferry);
        accepted(ferry, other, webDownload("/single", ",\"stores\":[\"nope\"]"), "X-Image-Meta-Store", "nope");
        awaitTask(ferry, other, "success");
        assertEquals(ImageFixtures.md5(data), show(ferry, other).get("checksum").asText());
    }

    @Test
    void aFailureLeavesTheFailedListEmpty() {
        web.stubFor(get(urlPathEqualTo("/missing")).willReturn(aResponse().withStatus(404)));
        String id = create(ferry);
        accepted(ferry, id, webDownload("/missing", ""));
        assertTrue(failure(ferry, id).endsWith("answered 404"));
        assertEquals("", assertBackToQueued(ferry, id).get(FAILED).asText());
    }
}
