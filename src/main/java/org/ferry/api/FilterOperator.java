package org.ferry.api;

import org.ferry.http.ApiException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list filter value as Glance reads it ({@code glance/common/utils.py split_filter_op},
 * {@code split_filter_value_for_quotes}): {@code op:threshold}, where a value without a colon, or one that is an
 * ISO 8601 time as a whole, means {@code eq}; the {@code in} operator takes a comma list whose items may be quoted.
 */
record FilterOperator(String op, String threshold) {
    /** A quoted item (backslash escapes kept, as Glance keeps them), a bare item, or an empty item between commas. */
    private static final Pattern ITEM = Pattern.compile("\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\",?|([^,]+),?|,");

    static FilterOperator split(String value) {
        int c = value.indexOf(':');
        if (c < 0 || isoTime(value) != null) {
            return new FilterOperator("eq", value);
        }
        return new FilterOperator(value.substring(0, c), value.substring(c + 1));
    }

    /** The items of an {@code in:} list; 400 for misplaced or unclosed quotes. */
    List<String> items() {
        checkQuotes(threshold);
        List<String> out = new ArrayList<>();
        Matcher m = ITEM.matcher(threshold);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : "");
        }
        return out;
    }

    private static void checkQuotes(String v) {
        boolean opening = true;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) != '"' || i > 0 && v.charAt(i - 1) == '\\') {
                continue;
            }
            if (opening && i > 0 && v.charAt(i - 1) != ',') {
                throw ApiException.badRequest("Invalid filter value " + v
                        + ". There is no comma before opening quotation mark.");
            }
            if (!opening && i + 1 != v.length() && v.charAt(i + 1) != ',') {
                throw ApiException.badRequest("Invalid filter value " + v
                        + ". There is no comma after closing quotation mark.");
            }
            opening = !opening;
        }
        if (!opening) {
            throw ApiException.badRequest("Invalid filter value " + v + ". The quote is not closed.");
        }
    }

    /** An ISO 8601 date or time (UTC when no offset is given, midnight for a date), or null. */
    static Instant isoTime(String when) {
        try {
            if (when.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(when).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(when.endsWith("Z") || when.matches(".*[+-]\\d\\d:\\d\\d$") ? when : when + "Z")
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
