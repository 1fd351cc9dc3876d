package org.ferry.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The request path as text. Undertow decodes percent-escapes that are not UTF-8 into U+FFFD, so {@code %FF} would
 * become a tag or member id nobody sent; and a NUL cannot be stored by PostgreSQL. Both are the client's 400.
 */
final class PathText {
    private PathText() {
    }

    /** Throws 400 unless the raw (still percent-encoded) request URI decodes to UTF-8 text without NUL. */
    static void require(String rawUri) {
        if (rawUri == null || rawUri.indexOf('%') < 0) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawUri.length());
        for (int i = 0; i < rawUri.length(); i++) {
            char c = rawUri.charAt(i);
            if (c == '%' && i + 2 < rawUri.length() && hex(rawUri.charAt(i + 1)) >= 0 && hex(rawUri.charAt(i + 2)) >= 0) {
                bytes.write(hex(rawUri.charAt(i + 1)) * 16 + hex(rawUri.charAt(i + 2)));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("The request path is not valid UTF-8.");
        }
        if (text.indexOf('\0') >= 0) {
            throw ApiException.badRequest("Invalid null character in the request path.");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
