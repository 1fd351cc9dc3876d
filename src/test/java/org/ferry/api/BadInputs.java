package org.ferry.api;

import org.ferry.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The malformed requests of {@link BadInputTest}, generated from tables: one row per endpoint Ferry serves, and per
 * kind of input the bad values to put there. A new endpoint is one more {@link Route}; a new kind of bad value is one
 * more entry in a value table.
 */
final class BadInputs {
    /** What a route's body is, so that the right table of bad bodies and wrong-typed fields is sent to it. */
    enum Body { NONE, IMAGE, PATCH, IMPORT, MEMBER, MEMBER_STATUS, LOCATION, TASK, DATA, ANY_JSON }

    /**
     * One endpoint. {@code good} names, for each path placeholder, the seeded catalog entry (or a literal after "=")
     * that carries a request furthest into the handler; {@code mutating} routes change the catalog when the request
     * is well formed, so only inputs that must be refused are sent to them with good placeholders.
     */
    record Route(String method, String template, Map<String, String> good, Body body, boolean mutating) {
        String path(Function<String, String> ids) {
            String p = template;
            for (var e : good.entrySet()) {
                String v = e.getValue().startsWith("=") ? e.getValue().substring(1) : ids.apply(e.getValue());
                p = p.replace("{" + e.getKey() + "}", v);
            }
            return p;
        }
    }

    /** Every route Ferry serves (api/*.register, api/ImageDataApi, replication/api/ReplicationApi, versions). */
    static final List<Route> ROUTES = List.of(
            new Route("GET", "/versions", Map.of(), Body.NONE, false),
            new Route("GET", "/", Map.of(), Body.NONE, false),
            new Route("POST", "/v2/images", Map.of(), Body.IMAGE, true),
            new Route("GET", "/v2/images", Map.of(), Body.NONE, false),
            new Route("GET", "/v2/images/{id}", Map.of("id", "shared"), Body.NONE, false),
            new Route("PATCH", "/v2/images/{id}", Map.of("id", "shared"), Body.PATCH, true),
            new Route("DELETE", "/v2/images/{id}", Map.of("id", "private"), Body.NONE, true),
            // deactivate of the deactivated image and reactivate of an active one: Glance ignores an action's body,
            // and these targets make a well-formed action a no-op
            new Route("POST", "/v2/images/{id}/actions/deactivate", Map.of("id", "deactivated"), Body.ANY_JSON, false),
            new Route("POST", "/v2/images/{id}/actions/reactivate", Map.of("id", "shared"), Body.ANY_JSON, false),
            new Route("PUT", "/v2/images/{id}/tags/{tag}", Map.of("id", "shared", "tag", "=alpha"), Body.NONE, false),
            new Route("DELETE", "/v2/images/{id}/tags/{tag}", Map.of("id", "shared", "tag", "=absent-tag"), Body.NONE,
                    false),
            new Route("DELETE", "/v2/stores/{store}/{id}", Map.of("store", "=fast", "id", "shared"), Body.NONE, true),
            new Route("PUT", "/v2/images/{id}/file", Map.of("id", "private"), Body.DATA, true),
            new Route("GET", "/v2/images/{id}/file", Map.of("id", "shared"), Body.NONE, false),
            new Route("PUT", "/v2/images/{id}/stage", Map.of("id", "private"), Body.DATA, true),
            new Route("POST", "/v2/images/{id}/import", Map.of("id", "private"), Body.IMPORT, true),
            new Route("GET", "/v2/images/{id}/members", Map.of("id", "shared"), Body.NONE, false),
            new Route("POST", "/v2/images/{id}/members", Map.of("id", "shared"), Body.MEMBER, true),
            new Route("GET", "/v2/images/{id}/members/{member}", Map.of("id", "shared", "member", "=member-p"),
                    Body.NONE, false),
            new Route("PUT", "/v2/images/{id}/members/{member}", Map.of("id", "shared", "member", "=member-p"),
                    Body.MEMBER_STATUS, true),
            new Route("DELETE", "/v2/images/{id}/members/{member}", Map.of("id", "shared", "member", "=member-p"),
                    Body.NONE, true),
            new Route("POST", "/v2/images/{id}/locations", Map.of("id", "private"), Body.LOCATION, true),
            new Route("GET", "/v2/images/{id}/locations", Map.of("id", "shared"), Body.NONE, false),
            new Route("GET", "/v2/images/{id}/tasks", Map.of("id", "shared"), Body.NONE, false),
            new Route("GET", "/v2/tasks", Map.of(), Body.NONE, false),
            new Route("POST", "/v2/tasks", Map.of(), Body.TASK, true),
            new Route("GET", "/v2/tasks/{id}", Map.of("id", "task"), Body.NONE, false),
            new Route("GET", "/v2/info/import", Map.of(), Body.NONE, false),
            new Route("GET", "/v2/info/stores", Map.of(), Body.NONE, false),
            new Route("GET", "/v2/info/stores/detail", Map.of(), Body.NONE, false),
            new Route("GET", "/v2/info/usage", Map.of(), Body.NONE, false),
            new Route("GET", "/v2/schemas/{name}", Map.of("name", "=image"), Body.NONE, false),
            new Route("GET", "/ferry/replication/jobs", Map.of(), Body.NONE, false),
            new Route("GET", "/ferry/replication/jobs/{name}", Map.of("name", "=nightly"), Body.NONE, false),
            new Route("GET", "/ferry/replication/jobs/{name}/runs", Map.of("name", "=nightly"), Body.NONE, false),
            new Route("GET", "/ferry/replication/jobs/{name}/runs/{run}", Map.of("name", "=nightly", "run",
                    "=00000000-0000-0000-0000-000000000000"), Body.NONE, false),
            new Route("POST", "/ferry/replication/jobs/{name}/run", Map.of("name", "=no-such-job"), Body.ANY_JSON,
                    false));

    /** Bad values for a path placeholder, already percent-encoded as they go on the wire. */
    static final List<String> BAD_SEGMENTS = List.of("not-a-uuid", "..", "%2e%2e", ".", "%2F", "a%2Fb",
            "..%2F..%2F..%2Fetc%2Fpasswd", "%00", "%ZZ", "%", "%4", "%C3%28", "%FF%FE", "%C0%AE%C0%AE",
            "%F0%9F%98%80", "x".repeat(300), "y".repeat(9000), "00000000-0000-0000-0000-000000000000",
            "{00000000-0000-0000-0000-000000000000}", "%27%3B%20DROP%20TABLE%20images%3B--", "a;b=c", "%20",
            "%E2%80%AE", "%5C..%5C");
    /** Raw bytes in a path segment (not valid in a request line, or not UTF-8): only a socket sends them. */
    static final List<byte[]> RAW_SEGMENTS = List.of(bytes(0xff, 0xfe), bytes(0xc3, 0xa9), bytes(' '), bytes('"'),
            bytes('<', '>'), bytes(0x7f), bytes(0x01));
    /** Tag values that must be refused (PUT would add any acceptable tag). */
    static final List<String> BAD_TAGS = List.of("x".repeat(256), "y".repeat(9000), "%F0%9F%98%80", "%FF%FE",
            "%C3%28", "%ZZ", "%", "%00", "%C0%AE");

    /** Bodies no JSON route accepts. */
    static final List<String> BAD_JSON = List.of(" ", "{", "[", "}", "nul", "tru", "{\"a\":}", "{\"a\" 1}", "{}x",
            "[]]", "\uFEFF{}", "{'a':1}", "NaN", "Infinity", "1e99999", "-", "\"\\ud800\"", "\"\\u00\"",
            "{\"a\":\"\\x\"}", "{\"a\":1,}", "/* c */ {}", "{\"a\":01}", "[1,2", "{\"a\":\"\u0001\"}", "[]", "\"s\"", "1",
            "null", "true", "{\"\":{\"\":{\"\":[]}}}");

    static final List<byte[]> BAD_JSON_BYTES = List.of(
            bytes('{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', 0xff, 0xfe, '"', '}'),
            bytes('{', '"', 0xc0, 0xaf, '"', ':', '1', '}'),
            bytes('{', '"', 'a', '"', ':', '"', 0xed, 0xa0, 0x80, '"', '}'),
            bytes(0xfe, 0xff, 0, '{', 0),
            bytes(0));

    /** Values of the wrong JSON type, or out of range, for any field. */
    static final List<String> WRONG_VALUES = List.of("1", "-1", "1.5", "true", "false", "[]", "[1]", "{}",
            "{\"a\":1}", "1e400", "99999999999999999999999", "\"" + "z".repeat(70000) + "\"", "\"\\u0000\"",
            "\"\\ud83d\\ude00\"");

    /** Fields of each body and the wrong values worth sending besides {@link #WRONG_VALUES}. */
    static final Map<Body, Map<String, List<String>>> FIELDS = Map.of(
            Body.IMAGE, Map.ofEntries(
                    Map.entry("id", List.of("\"not-a-uuid\"", "\"../../etc\"", "\"\"", "\"00000000000000000000000000000000\"")),
                    Map.entry("name", List.of("\"" + "n".repeat(256) + "\"")),
                    Map.entry("visibility", List.of("\"everyone\"", "\"\"", "null", "\"PUBLIC\"")),
                    Map.entry("protected", List.of("\"true\"", "null", "0")),
                    Map.entry("os_hidden", List.of("\"false\"", "null")),
                    Map.entry("owner", List.of("\"" + "o".repeat(256) + "\"")),
                    Map.entry("disk_format", List.of("\"exe\"", "\"\"", "\"RAW\"")),
                    Map.entry("container_format", List.of("\"zip\"", "\"\"")),
                    Map.entry("min_disk", List.of("\"1\"", "null", "2147483648", "-2147483649")),
                    Map.entry("min_ram", List.of("\"1\"", "null", "2147483648")),
                    Map.entry("tags", List.of("\"a,b\"", "[1]", "[null]", "[[\"a\"]]", "[\"" + "t".repeat(256) + "\"]")),
                    Map.entry("kernel_id", List.of("\"not-a-uuid\"")),
                    Map.entry("cinder_encryption_key_deletion_policy", List.of("\"sometimes\"")),
                    Map.entry("os_glance_import_task", List.of("\"x\"")),
                    Map.entry("status", List.of("\"active\"")),
                    Map.entry("locations", List.of("[{\"url\":\"file:///etc/passwd\",\"metadata\":{}}]")),
                    Map.entry("self", List.of("\"/v2/images/x\"")),
                    Map.entry("custom_prop", List.of("null")),
                    Map.entry("k".repeat(256), List.of("\"v\"")),
                    Map.entry("\ud83d\ude00", List.of("\"v\""))),
            Body.IMPORT, Map.of(
                    "method", List.of("\"web-download\"", "null"),
                    "method.name", List.of("\"no-such-method\"", "\"\"", "null", "\"WEB-DOWNLOAD\""),
                    "method.uri", List.of("\"file:///etc/passwd\"", "\"http://127.0.0.1:1/x\"", "\"gopher://x\"",
                            "\"http://[::1\"", "\"\"", "null", "\"http://%zz/\""),
                    "stores", List.of("[\"no-such-store\"]", "\"fast\"", "[null]", "[\"os_glance_staging_store\"]",
                            "[\"../fast\"]"),
                    "all_stores", List.of("\"true\"", "null"),
                    "all_stores_must_succeed", List.of("\"false\"", "null")),
            Body.MEMBER, Map.of("member", List.of("\"\"", "null", "\"" + "m".repeat(256) + "\"")),
            Body.MEMBER_STATUS, Map.of("status", List.of("\"ACCEPTED\"", "\"maybe\"", "\"\"", "null")),
            Body.LOCATION, Map.of(
                    "url", List.of("\"\"", "null", "\"gopher://x\"", "\"file:///etc/passwd\""),
                    "validation_data", List.of("\"x\"", "null", "{\"os_hash_algo\":\"md4\",\"os_hash_value\":\"00\"}",
                            "{\"os_hash_algo\":\"sha256\",\"os_hash_value\":\"zz\"}", "{\"os_hash_algo\":\"sha256\"}",
                            "{\"extra\":\"x\"}")),
            Body.TASK, Map.of(
                    "type", List.of("\"bogus\"", "null"),
                    "input", List.of("\"x\"", "null", "{\"import_from\":\"file:///etc/passwd\"}",
                            "{\"import_from\":\"http://127.0.0.1:1/x\",\"import_from_format\":\"qcow2\"}")));

    /** Query strings GET /v2/images must refuse, with Glance's rules (reference §2.7). */
    static final List<String> BAD_LIST_QUERIES = List.of("limit=-1", "limit=abc", "limit=99999999999999999999",
            "limit=1.5", "limit=", "marker=not-a-uuid", "marker=00000000-0000-0000-0000-000000000000", "marker=",
            "marker=%00", "sort_key=bogus", "sort_key=", "sort_key=name;drop", "sort_dir=up", "sort_dir=",
            "sort_key=name&sort_dir=asc&sort_dir=desc&sort_dir=asc", "sort=name:sideways", "sort=:asc",
            "sort=name:asc:desc", "sort=name&sort_key=id", "sort=bogus", "sort=,,", "visibility=everyone",
            "visibility=", "visibility=PUBLIC", "member_status=maybe", "member_status=", "os_hidden=maybe",
            "os_hidden=", "protected=2", "protected=", "size_min=x", "size_max=1e3", "size_min=", "size_max=-",
            "created_at=gt:notadate", "created_at=bogus:2020-01-01T00:00:00Z", "updated_at=lt:", "updated_at=",
            "created_at=gte:2020-13-45T99:99:99Z", "status=foo:bar", "disk_format=like:raw", "id=gt:x",
            "changes-since=2020-01-01T00:00:00Z", "size=abc", "min_disk=x", "min_ram=1.5", "virtual_size=-x",
            "limit=1&limit=x", "%ZZ=1", "a=%", "a=%4", "sort_key=%FF%FE", "visibility=%C3%28", "limit=%00");

    private BadInputs() {
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON document nested {@code depth} levels: arrays when {@code array}, else objects. */
    static String nested(int depth, boolean array) {
        StringBuilder sb = new StringBuilder(depth * 6 + 2);
        for (int i = 0; i < depth; i++) {
            sb.append(array ? "[" : "{\"a\":");
        }
        sb.append("1");
        for (int i = 0; i < depth; i++) {
            sb.append(array ? "]" : "}");
        }
        return sb.toString();
    }

    /** A valid body for the kind, with {@code field} (dotted for nested) set to {@code rawValue}. */
    static String withField(Body kind, String field, String rawValue) {
        return switch (kind) {
            case IMAGE -> "{\"disk_format\":\"raw\",\"container_format\":\"bare\"," + Json.quote(field) + ":" + rawValue + "}";
            case IMPORT -> field.startsWith("method.")
                    ? "{\"method\":{\"name\":\"web-download\",\"uri\":\"http://example.com/x\","
                            + Json.quote(field.substring(7)) + ":" + rawValue + "}}"
                    : field.equals("method") ? "{\"method\":" + rawValue + "}"
                    : "{\"method\":{\"name\":\"copy-image\"}," + Json.quote(field) + ":" + rawValue + "}";
            case MEMBER -> "{\"member\":" + rawValue + "}";
            case MEMBER_STATUS -> "{\"status\":" + rawValue + "}";
            case LOCATION -> field.equals("url") ? "{\"url\":" + rawValue + "}"
                    : "{\"url\":\"http://example.com/x\",\"validation_data\":" + rawValue + "}";
            case TASK -> field.equals("type") ? "{\"type\":" + rawValue + ",\"input\":{}}"
                    : "{\"type\":\"import\",\"input\":" + rawValue + "}";
            default -> throw new IllegalArgumentException(kind.name());
        };
    }

    /** Whether a value of {@link BadInputs#WRONG_VALUES} is in fact valid for a field (and would be applied). */
    static boolean valid(Body kind, String field, String v) {
        boolean bool = v.equals("true") || v.equals("false");
        boolean smallInt = v.equals("1");
        boolean longText = v.startsWith("\"zzz"); // extra property values have no length limit in Glance
        return switch (kind.name() + "." + field) {
            case "IMAGE.protected", "IMAGE.os_hidden", "IMPORT.all_stores_must_succeed" -> bool;
            case "IMPORT.all_stores" -> bool;
            case "IMAGE.min_disk", "IMAGE.min_ram" -> smallInt;
            case "IMAGE.tags" -> v.equals("[]");
            case "IMAGE.custom_prop" -> longText;
            case "IMPORT.stores" -> v.equals("[]"); // Glance takes an empty list as is: nothing to copy, 202
            default -> false;
        };
    }

    /** JSON-patch documents PATCH /v2/images/{id} must refuse (reference §2.6). */
    static List<String> badPatches() {
        List<String> out = new ArrayList<>(Arrays.asList(
                "{}", "[1]", "[null]", "[[]]", "[{}]", "[{\"op\":\"add\"}]", "[{\"op\":\"move\",\"path\":\"/name\",\"value\":\"x\"}]",
                "[{\"op\":\"copy\",\"from\":\"/name\",\"path\":\"/x\"}]", "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"x\"}]",
                "[{\"op\":1,\"path\":\"/name\",\"value\":\"x\"}]", "[{\"op\":null,\"path\":\"/name\"}]",
                "[{\"op\":\"add\",\"path\":\"/name\"}]", "[{\"op\":\"replace\",\"path\":1,\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":null,\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"//name\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/name/\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/a/b\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/~2\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/a~\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/../name\",\"value\":\"x\"}]",
                "[{\"op\":\"remove\",\"path\":\"/name\"}]", "[{\"op\":\"remove\",\"path\":\"/no_such_prop\"}]",
                "[{\"op\":\"replace\",\"path\":\"/no_such_prop\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"active\"}]",
                "[{\"op\":\"replace\",\"path\":\"/id\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/os_glance_x\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/deleted\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/disk_format\",\"value\":\"qcow2\"}]",
                "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":\"gopher://x\",\"metadata\":{}}}]",
                "[{\"op\":\"add\",\"path\":\"/locations/x\",\"value\":{\"url\":\"file:///etc/passwd\",\"metadata\":{}}}]",
                "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":\"x\"}]", "[{\"op\":\"add\",\"path\":\"/locations/-1\",\"value\":{}}]",
                "[{\"op\":\"add\",\"path\":\"/locations/99999999999999999999\",\"value\":{\"url\":\"file:///x\",\"metadata\":{}}}]",
                "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":[]}]", "[{\"op\":\"replace\",\"path\":\"/locations\",\"value\":\"x\"}]",
                "[{\"op\":\"remove\",\"path\":\"/locations/0\"}]", "[{\"op\":\"remove\",\"path\":\"/locations/99\"}]",
                "[{\"op\":\"remove\",\"path\":\"/locations/x\"}]", "[{\"op\":\"remove\",\"path\":\"/locations\"}]",
                "[{\"op\":\"replace\",\"path\":\"/tags\",\"value\":\"a\"}]",
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"ok\"},{\"op\":\"replace\",\"path\":\"/min_disk\",\"value\":-1}]",
                "[{\"add\":\"/name\",\"replace\":\"/name\",\"value\":\"x\"}]", "[{\"add\":1,\"value\":\"x\"}]"));
        for (String attr : List.of("name", "visibility", "protected", "os_hidden", "owner", "min_disk", "min_ram",
                "tags", "kernel_id", "custom_prop")) {
            for (String v : WRONG_VALUES) {
                if (attr.equals("owner") || attr.equals("name") && v.startsWith("\"")
                        || valid(Body.IMAGE, attr, v)) {
                    continue; // admin may set any owner string; a name is any string up to 255
                }
                out.add("[{\"op\":\"replace\",\"path\":\"/" + attr + "\",\"value\":" + v + "}]");
            }
        }
        return out;
    }

    /** Range / Content-Range headers a download must refuse (400 or 416). */
    static final List<String[]> BAD_RANGES = List.of(
            new String[] {"Range", "bytes=5-1"}, new String[] {"Range", "bytes=abc"}, new String[] {"Range", "bytes=-0"},
            new String[] {"Range", "bytes=0-1,2-3"}, new String[] {"Range", "bytes=99999999999999999999-"},
            new String[] {"Range", "items=0-1"}, new String[] {"Range", "bytes="}, new String[] {"Range", "bytes=-"},
            new String[] {"Range", "bytes=--1"}, new String[] {"Range", "bytes=4096-"}, new String[] {"Range", "bytes=5000-6000"},
            new String[] {"Range", ""}, new String[] {"Range", "bytes=0-1-2"}, new String[] {"Range", "bytes=1e3-"},
            new String[] {"Content-Range", "bytes 5-1/4096"}, new String[] {"Content-Range", "bytes x"},
            new String[] {"Content-Range", "bytes */*"}, new String[] {"Content-Range", "items 0-1/2"},
            new String[] {"Content-Range", "bytes 9999-/4096"});

    /** Store names no request may reach: unknown, reserved, empty or path-like. */
    static final List<String> BAD_STORES = List.of("no-such-store", "", "os_glance_staging_store",
            "os_glance_tasks_store", "../fast", "fast,cheap", "FAST", "x".repeat(300));

    /** Methods used against every template besides its own; 405 for a known method, 501 for an unknown one. */
    static final List<String> OTHER_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    static final Set<String> UNKNOWN_METHODS = Set.of("BREW", "PROPFIND", "TRACE");
}
