package org.ferry.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Ferry process started from a config directory that holds policy.yaml and schema-image.json, with
 * {@code log_dir}, {@code use_json} and {@code debug} set and options Ferry does not implement: the files are found
 * and named in the log, the log is JSON lines in log_dir/ferry.log carrying the request id, and every unknown
 * option is warned about by section and name.
 */
class LoggingAndDiscoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    FerryProcess ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void jsonLogLinesInLogDirFilesBesideTheConfigAndUnknownOptions() throws Exception {
        Map<String, Map<String, String>> c = FerryProcess.config(dir);
        Map<String, String> d = c.get("DEFAULT");
        d.put("log_dir", dir.resolve("logs").toString());
        d.put("use_json", "true");
        d.put("debug", "true");
        d.put("no_such_option", "1");
        d.put("workers", "4");
        TestFerry.section(c, "keystone_authtoken").put("memcache_pool_maxsize", "10");
        TestFerry.section(c, "keystone_authtoken").put("password", "hunter2");
        TestFerry.section(c, "replication:not-a-job").put("source_regions", "RegionOne");
        Path etc = dir.resolve("etc");
        Path conf = FerryProcess.write(etc.resolve("ferry.conf"), c);
        Files.writeString(etc.resolve("policy.yaml"), "\"add_image\": \"role:creator\"\n");
        Files.writeString(etc.resolve("schema-image.json"), "{\"x_cores\": {\"type\": \"integer\", \"minimum\": 1}}");
        ferry = FerryProcess.start(dir, conf, Integer.parseInt(d.get("bind_port")));

        OkHttpClient http = new OkHttpClient();
        MediaType json = MediaType.get("application/json");
        String image = "{\"name\":\"x\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"x_cores\":4}";
        try (Response r = http.newCall(new Request.Builder().url(ferry.url() + "/v2/images")
                .header("X-Roles", "member").post(RequestBody.create(image, json)).build()).execute()) {
            assertEquals(403, r.code(), "policy.yaml beside the config file applies");
        }
        try (Response r = http.newCall(new Request.Builder().url(ferry.url() + "/v2/images")
                .header("X-Roles", "creator").header("X-Openstack-Request-Id", "req-ops-json-1")
                .post(RequestBody.create(image, json)).build()).execute()) {
            assertEquals(201, r.code(), "schema-image.json beside the config file types x_cores: " + r.body().string());
        }

        Path log = dir.resolve("logs/ferry.log");
        assertTrue(Files.exists(log), "log_dir alone logs to log_dir/ferry.log; output:\n" + ferry.output());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = JSON.readTree(line);
            for (String field : new String[] {"time", "level", "logger", "message", "request_id", "exception"}) {
                assertTrue(n.has(field), field + " missing in " + line);
            }
            lines.add(n);
        }
        assertTrue(lines.stream().anyMatch(n -> n.get("request_id").asText().equals("req-ops-json-1")
                && n.get("message").asText().startsWith("created image")), lines.toString());
        assertTrue(lines.stream().anyMatch(n -> n.get("level").asText().equals("DEBUG")
                && n.get("message").asText().equals("config: [DEFAULT] use_json = true")), "debug = true logs Ferry's DEBUG lines");
        assertTrue(has(lines, "INFO", "Policy: rules from " + etc.resolve("policy.yaml")), lines.toString());
        assertTrue(has(lines, "INFO", "Image schema: typed extra properties from " + etc.resolve("schema-image.json")));
        assertTrue(has(lines, "WARN", "[DEFAULT] no_such_option is not an option Ferry implements"));
        assertTrue(has(lines, "WARN", "[keystone_authtoken] memcache_pool_maxsize is not an option Ferry implements"));
        assertTrue(has(lines, "WARN", "[replication:not-a-job] source_regions is not an option Ferry implements"));
        assertTrue(has(lines, "INFO", "[DEFAULT] workers is accepted and ignored"));
        assertTrue(lines.stream().noneMatch(n -> n.get("message").asText().contains("bind_port is not")),
                "options Ferry reads are not warned about");
        assertTrue(lines.stream().noneMatch(n -> n.toString().contains("hunter2")), "secrets are masked");
        assertTrue(has(lines, "DEBUG", "config: [keystone_authtoken] password = ****"));
        assertTrue(ferry.output().isBlank(), "with a log file nothing goes to standard output:\n" + ferry.output());
    }

    private static boolean has(List<JsonNode> lines, String level, String prefix) {
        return lines.stream().anyMatch(n -> n.get("level").asText().equals(level)
                && n.get("message").asText().startsWith(prefix));
    }
}
