package org.ferry.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A small client for a Ferry that runs in another process. */
final class TestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    private final String base;
    private final OkHttpClient http = new OkHttpClient();

    TestClient(String base) {
        this.base = base;
    }

    int statusOf(String path) {
        try (Response r = http.newCall(new Request.Builder().url(base + path).build()).execute()) {
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    String createImage() throws IOException {
        return post("/v2/images", "{\"disk_format\":\"raw\",\"container_format\":\"bare\"}").get("id").asText();
    }

    int importImage(String id, String body) throws IOException {
        try (Response r = http.newCall(new Request.Builder().url(base + "/v2/images/" + id + "/import")
                .post(RequestBody.create(body, APPLICATION_JSON)).build()).execute()) {
            return r.code();
        }
    }

    JsonNode image(String id) {
        return get("/v2/images/" + id);
    }

    JsonNode tasks(String id) {
        return get("/v2/images/" + id + "/tasks").get("tasks");
    }

    private JsonNode get(String path) {
        try (Response r = http.newCall(new Request.Builder().url(base + path).build()).execute()) {
            return JSON.readTree(r.body().bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode post(String path, String body) throws IOException {
        try (Response r = http.newCall(new Request.Builder().url(base + path)
                .post(RequestBody.create(body, APPLICATION_JSON)).build()).execute()) {
            return JSON.readTree(r.body().bytes());
        }
    }
}
