package org.ferry.http;

import java.util.Map;

/** HTTP reason phrases, as WebOb spells them. */
final class Reasons {
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"), Map.entry(204, "No Content"),
            Map.entry(206, "Partial Content"), Map.entry(300, "Multiple Choices"), Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(409, "Conflict"), Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"), Map.entry(413, "Request Entity Too Large"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Requested Range Not Satisfiable"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    private Reasons() {
    }

    static String of(int status) {
        return REASONS.getOrDefault(status, "Error");
    }
}
