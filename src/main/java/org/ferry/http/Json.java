package org.ferry.http;

import org.ferry.json.Jackson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The shared JSON mapper ({@link Jackson#MAPPER}) as the API layer uses it, and small helpers around it. */
public final class Json {
    public static final ObjectMapper MAPPER = Jackson.MAPPER;
    private static final ObjectReader BODY_READER = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    public static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a request body; a syntax error is Glance's 400 "Malformed JSON in request body.". Strict as Python's
     * json.loads: a UTF-8 byte-order mark or anything after the document is malformed too (Jackson skips the one and
     * ignores the other by default).
     */
    public static JsonNode parseBody(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            throw ApiException.badRequest("Malformed JSON in request body.");
        }
        try {
            JsonNode n = BODY_READER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw ApiException.badRequest("Malformed JSON in request body.");
            }
            requireStorableText(n);
            return n;
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("Malformed JSON in request body.");
        }
    }

    /**
     * Every name and string of a body ends up in a text column: a NUL character (which PostgreSQL refuses, so the
     * request would fail with 500) or half of a surrogate pair (not a character at all) is a 400 here.
     */
    private static void requireStorableText(JsonNode n) {
        if (n.isTextual()) {
            requireStorableText(n.textValue());
        } else if (n.isObject()) {
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                requireStorableText(e.getKey());
                requireStorableText(e.getValue());
            }
        } else if (n.isArray()) {
            n.forEach(Json::requireStorableText);
        }
    }

    private static void requireStorableText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw ApiException.badRequest("Invalid null character in request body.");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest("Malformed JSON in request body.");
            }
        }
    }
}
