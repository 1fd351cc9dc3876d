package org.ferry.replication;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.ferry.data.ImageFixtures.md5;
import static org.ferry.data.ImageFixtures.random;
import static org.ferry.replication.ReplicationKit.JSON;
import static org.ferry.replication.ReplicationKit.count;
import static org.ferry.replication.ReplicationKit.runJob;
import static org.ferry.replication.ReplicationKit.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against the real OpenStack lab ({@code scripts/openstack-lab.sh up}, then {@code eval "$(scripts/openstack-lab.sh
 * env)"}): Ferry, with the lab's Keystone, replicates every public image of the real Glance in RegionOne (one is
 * added for the test, so there is at least one) with ids and digests preserved, and a second run copies nothing.
 * Skipped without the lab's environment.
 */
@Tag("interop")
class ReplicationInteropTest {
    static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)).build();

    @TempDir
    static Path dir;
    static String keystoneUrl;
    static String password;
    static String glanceUrl;
    static String token;
    static String added;
    static TestFerry ferry;

    @BeforeAll
    static void start() throws IOException {
        keystoneUrl = System.getenv("FERRY_LAB_KEYSTONE_URL");
        password = System.getenv("FERRY_LAB_PASSWORD");
        glanceUrl = System.getenv("FERRY_LAB_GLANCE1_URL");
        Assumptions.assumeTrue(keystoneUrl != null && password != null && glanceUrl != null,
                "the OpenStack lab's environment is not set: eval \"$(scripts/openstack-lab.sh env)\"");
        token = login();

        byte[] data = random(1 << 20, 51);
        JsonNode created = call("POST", glanceUrl + "/v2/images", "application/json",
                ("{\"name\":\"ferry-replication-interop\",\"disk_format\":\"raw\",\"container_format\":\"bare\","
                        + "\"visibility\":\"public\",\"os_distro\":\"cirros\"}").getBytes(), 201);
        added = created.get("id").asText();
        call("PUT", glanceUrl + "/v2/images/" + added + "/file", "application/octet-stream", data, 204);
        assertEquals(md5(data), call("GET", glanceUrl + "/v2/images/" + added, null, null, 200)
                .get("checksum").asText());

        Map<String, Map<String, String>> c = TestFerry.defaults(dir);
        TestFerry.keystone(c, keystoneUrl);
        TestFerry.section(c, "keystone_authtoken").put("password", password);
        TestFerry.section(c, "import_filtering_opts").putAll(Map.of("allowed_hosts", "[127.0.0.1, localhost]",
                "allowed_ports", "[]"));
        TestFerry.section(c, "replication").put("jobs", "lab");
        TestFerry.section(c, "replication:lab").putAll(Map.of("source_regions", "RegionOne",
                "auth_url", keystoneUrl + "/v3", "username", "glance", "password", password,
                "project_name", "service", "concurrency", "2"));
        ferry = TestFerry.start(dir, c);
    }

    @AfterAll
    static void stop() throws IOException {
        if (ferry != null) {
            ferry.close();
        }
        if (added != null) {
            call("DELETE", glanceUrl + "/v2/images/" + added, null, null, 204);
        }
    }

    @Test
    void everyPublicImageOfTheRealGlanceIsReplicatedThenASecondRunCopiesNothing() throws IOException {
        String[] auth = {"X-Auth-Token", token};
        JsonNode first = runJob(ferry, "lab", auth);
        List<JsonNode> sources = publicActiveImages();
        assertTrue(sources.stream().anyMatch(i -> i.get("id").asText().equals(added)));
        assertEquals(0, count(first, "failed"), first.toString());
        assertEquals(0, count(first, "conflicts"), first.toString());
        assertEquals(sources.size(), count(first, "copied"), first.toString());
        for (JsonNode src : sources) {
            JsonNode copy = show(ferry, src.get("id").asText(), auth);
            assertEquals("active", copy.get("status").asText(), copy.toString());
            assertEquals(src.get("checksum").asText(), copy.get("checksum").asText(), copy.toString());
            assertEquals(src.get("size").asLong(), copy.get("size").asLong());
            if (src.path("os_hash_algo").asText("").equals(copy.path("os_hash_algo").asText())) {
                assertEquals(src.get("os_hash_value").asText(), copy.get("os_hash_value").asText());
            }
        }

        JsonNode second = runJob(ferry, "lab", auth);
        assertEquals("succeeded", second.get("status").asText(), second.toString());
        assertEquals(0, count(second, "copied"), second.toString());
    }

    /** RegionOne's active public images, all pages. */
    static List<JsonNode> publicActiveImages() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        String next = "/v2/images?visibility=public&limit=100";
        while (next != null) {
            JsonNode page = call("GET", glanceUrl + next, null, null, 200);
            page.get("images").forEach(i -> {
                if (i.get("status").asText().equals("active")) {
                    out.add(i);
                }
            });
            next = page.hasNonNull("next") ? page.get("next").asText() : null;
        }
        return out;
    }

    /** A token of the lab's glance user (project service, roles admin and service). */
    static String login() throws IOException {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"glance\","
                + "\"domain\":{\"name\":\"Default\"},\"password\":" + JSON.writeValueAsString(password) + "}}},"
                + "\"scope\":{\"project\":{\"name\":\"service\",\"domain\":{\"name\":\"Default\"}}}}}";
        Request r = new Request.Builder().url(keystoneUrl + "/v3/auth/tokens")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
        try (Response resp = HTTP.newCall(r).execute()) {
            assertEquals(201, resp.code(), resp.body() == null ? "" : resp.body().string());
            return resp.header("X-Subject-Token");
        }
    }

    static JsonNode call(String method, String url, String type, byte[] body, int expect) throws IOException {
        RequestBody rb = body == null ? (method.equals("GET") || method.equals("DELETE") ? null
                : RequestBody.create(new byte[0])) : RequestBody.create(body, MediaType.get(type));
        Request r = new Request.Builder().url(url).header("X-Auth-Token", token).method(method, rb).build();
        try (Response resp = HTTP.newCall(r).execute()) {
            String text = resp.body() == null ? "" : resp.body().string();
            assertEquals(expect, resp.code(), method + " " + url + ": " + text);
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        }
    }
}
