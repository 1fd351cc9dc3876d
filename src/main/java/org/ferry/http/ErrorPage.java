package org.ferry.http;

import java.util.Locale;
import java.util.Map;

/**
 * Error bodies as WebOb writes them for Glance: HTML, JSON or plain text, chosen by the request's Accept header.
 * glanceclient sends Accept: *&#47;* and parses the HTML form; tempest matches substrings of the JSON and plain forms.
 */
public final class ErrorPage {
    private static final Map<Integer, String> DEFAULT_EXPLANATION = Map.of(
            400, "The server could not comply with the request since it is either malformed or otherwise incorrect.",
            401, "This server could not verify that you are authorized to access the document you requested. Either "
                    + "you supplied the wrong credentials (e.g., bad password), or your browser does not understand how "
                    + "to supply the credentials required.",
            403, "Access was denied to this resource.",
            404, "The resource could not be found.",
            405, "The method is not allowed for this resource.",
            409, "There was a conflict when trying to complete your request.",
            413, "The request is larger than the server is willing or able to process.",
            415, "The request media type is not supported by this server.",
            500, "The server has either erred or is incapable of performing the requested operation.",
            503, "The server is currently unavailable. Please try again at a later time.");

    public record Rendered(String contentType, String body) {
    }

    private ErrorPage() {
    }

    public static Rendered render(int status, String explanation, String accept) {
        String title = Reasons.of(status);
        String code = status + " " + title;
        String text = explanation == null || explanation.isEmpty()
                ? DEFAULT_EXPLANATION.getOrDefault(status, "") : explanation;
        return switch (preferred(accept)) {
            case HTML -> new Rendered("text/html; charset=UTF-8", "<html>\n <head>\n  <title>" + code
                    + "</title>\n </head>\n <body>\n  <h1>" + code + "</h1>\n  " + html(text)
                    + "<br /><br />\n\n\n\n </body>\n</html>");
            case JSON -> new Rendered("application/json", "{\"message\": " + Json.quote(text + "<br /><br />\n\n\n")
                    + ", \"code\": " + Json.quote(code) + ", \"title\": " + Json.quote(title) + "}");
            case PLAIN -> new Rendered("text/plain; charset=UTF-8", code + "\n\n" + text + "\n\n   ");
        };
    }

    private enum Kind { HTML, JSON, PLAIN }

    /** RFC 7231 matching of text/html and application/json against Accept, text/html winning ties, as WebOb does. */
    private static Kind preferred(String accept) {
        if (accept == null || accept.isBlank()) {
            return Kind.PLAIN;
        }
        double html = 0;
        double json = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.strip().split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (type.equals("*/*") || type.equals("text/*") || type.equals("text/html")) {
                html = Math.max(html, q);
            }
            if (type.equals("*/*") || type.equals("application/*") || type.equals("application/json")) {
                json = Math.max(json, q);
            }
        }
        if (html > 0 && html >= json) {
            return Kind.HTML;
        }
        return json > 0 ? Kind.JSON : Kind.PLAIN;
    }

    /** WebOb's html_escape: Python's html.escape(s, quote=True), then non-ASCII as character references. */
    private static String html(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#x27;");
                default -> {
                    if (c > 127) {
                        out.append("&#").append(c).append(';');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
