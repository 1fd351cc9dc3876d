package org.ferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.ferry.json.Jackson;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real Swift the swift store tests run against: {@code scripts/swift-lab.sh}, described by the
 * {@code FERRY_SWIFT_*} variables its {@code env} command prints (tempauth, v1 auth). Unset, a test is skipped on a
 * developer's machine but fails under CI (env {@code CI} set). {@link #raw} is a plain client of the tests' own, to
 * look at and break what the store wrote.
 */
public record TestSwift(String authUrl, String user, String key) {
    public static TestSwift lab() {
        String auth = System.getenv("FERRY_SWIFT_AUTH_URL");
        if (auth == null || auth.isBlank()) {
            if (System.getenv("CI") != null) {
                fail("FERRY_SWIFT_AUTH_URL is not set but CI is: the Swift tests must run in CI. "
                        + "Run the suite with scripts/test.sh, which starts the Swift lab and sets it.");
            }
            Assumptions.abort("FERRY_SWIFT_AUTH_URL is not set: Swift test skipped "
                    + "(scripts/test.sh sets it; or eval \"$(bash scripts/swift-lab.sh env)\")");
        }
        return new TestSwift(auth, env("FERRY_SWIFT_USER"), env("FERRY_SWIFT_KEY"));
    }

    /** A second account of the lab (test2:tester2): another tenant. */
    public TestSwift second() {
        return new TestSwift(authUrl, env("FERRY_SWIFT_USER2"), env("FERRY_SWIFT_KEY2"));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            fail(name + " is not set while FERRY_SWIFT_AUTH_URL is: export all of `bash scripts/swift-lab.sh env`");
        }
        return v;
    }

    /** The lines of a store section using this account inline (Glance's deprecated options, v1 auth). */
    public List<String> inlineOptions() {
        return List.of("swift_store_auth_address = " + authUrl, "swift_store_user = " + user,
                "swift_store_key = " + key, "swift_store_auth_version = 1");
    }

    public Raw raw() throws IOException {
        return new Raw(this);
    }

    /** A plain Swift client (v1 auth): list, put, head and delete, for set-ups and checks. */
    public static final class Raw {
        private final OkHttpClient http = new OkHttpClient();
        private final String token;
        private final HttpUrl storage;

        Raw(TestSwift lab) throws IOException {
            try (Response r = http.newCall(new Request.Builder().url(lab.authUrl()).header("X-Auth-User", lab.user())
                    .header("X-Auth-Key", lab.key()).build()).execute()) {
                if (r.code() / 100 != 2) {
                    throw new IOException("Swift auth answered " + r.code());
                }
                token = r.header("X-Auth-Token");
                storage = HttpUrl.get(r.header("X-Storage-Url"));
            }
        }

        /** The account's token (v1 auth), e.g. as a caller's token for the multi-tenant store. */
        public String token() {
            return token;
        }

        /** The account's storage URL. */
        public HttpUrl storageUrl() {
            return storage;
        }

        /** A container's headers, or null when it does not exist. */
        public Map<String, List<String>> headContainer(String container) throws IOException {
            try (Response r = http.newCall(new Request.Builder().url(url(container)).head()
                    .header("X-Auth-Token", token).build()).execute()) {
                return r.code() == 404 ? null : r.headers().toMultimap();
            }
        }

        public HttpUrl url(String... segments) {
            HttpUrl.Builder b = storage.newBuilder();
            for (String s : segments) {
                b.addPathSegment(s);
            }
            return b.build();
        }

        public int status(String method, HttpUrl url, Map<String, String> headers, byte[] body) throws IOException {
            Request.Builder b = new Request.Builder().url(url).header("X-Auth-Token", token)
                    .method(method, body == null ? (method.equals("PUT") ? RequestBody.create(new byte[0]) : null)
                            : RequestBody.create(body));
            headers.forEach(b::header);
            try (Response r = http.newCall(b.build()).execute()) {
                return r.code();
            }
        }

        public Map<String, List<String>> head(String container, String object) throws IOException {
            try (Response r = http.newCall(new Request.Builder().url(url(container, object)).head()
                    .header("X-Auth-Token", token).build()).execute()) {
                return r.code() == 404 ? null : r.headers().toMultimap();
            }
        }

        public void put(String container, String object, byte[] data) throws IOException {
            int code = status("PUT", url(container, object), Map.of(), data);
            if (code != 201) {
                throw new IOException("PUT " + container + "/" + object + " answered " + code);
            }
        }

        /** The object names of a container (empty when it does not exist). */
        public List<String> list(String container) throws IOException {
            List<String> out = new ArrayList<>();
            HttpUrl u = url(container).newBuilder().addQueryParameter("format", "json").build();
            try (Response r = http.newCall(new Request.Builder().url(u).header("X-Auth-Token", token).build())
                    .execute()) {
                if (r.code() == 404 || r.code() == 204) {
                    return out;
                }
                for (JsonNode o : Jackson.MAPPER.readTree(r.body().string())) {
                    out.add(o.path("name").asText());
                }
            }
            return out;
        }

        /** Deletes a container with everything in it. */
        public void removeContainer(String container) throws IOException {
            for (String name : list(container)) {
                status("DELETE", url(container, name), Map.of(), null);
            }
            status("DELETE", url(container), Map.of(), null);
        }
    }
}
