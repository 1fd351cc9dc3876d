package org.ferry.api;

import org.ferry.http.ApiException;

/** One byte range of a download, from a {@code Range: bytes=a-b | a- | -n} header (or the legacy Content-Range). */
public record ByteRange(long start, long end) {
    public long length() {
        return end - start + 1;
    }

    /** @return null when no range was asked for; throws 400 for several ranges, 416 for an unsatisfiable one */
    public static ByteRange parse(String range, String legacyContentRange, long size) {
        if (range == null && legacyContentRange != null) {
            return parseLegacy(legacyContentRange, size);
        }
        if (range == null) {
            return null;
        }
        String r = range.strip();
        if (!r.startsWith("bytes=")) {
            throw unsatisfiable(size);
        }
        String spec = r.substring(6).strip();
        if (spec.contains(",")) {
            throw ApiException.badRequest("Multiple ranges are not supported: " + range);
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            throw unsatisfiable(size);
        }
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            long start;
            long end;
            if (a.isEmpty()) {
                long n = Long.parseLong(b);
                if (n <= 0) {
                    throw unsatisfiable(size);
                }
                start = Math.max(0, size - n);
                end = size - 1;
            } else {
                start = Long.parseLong(a);
                end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
                if (end < start) {
                    throw unsatisfiable(size);
                }
            }
            if (start >= size || start < 0) {
                throw unsatisfiable(size);
            }
            return new ByteRange(start, end);
        } catch (NumberFormatException e) {
            throw unsatisfiable(size);
        }
    }

    private static ByteRange parseLegacy(String header, long size) {
        // "bytes a-b/total" or "bytes a-b/*"
        String h = header.strip();
        if (!h.startsWith("bytes ")) {
            throw unsatisfiable(size);
        }
        String spec = h.substring(6);
        int slash = spec.indexOf('/');
        return parse("bytes=" + (slash < 0 ? spec : spec.substring(0, slash)), null, size);
    }

    private static ApiException unsatisfiable(long size) {
        return new ApiException(416, "Requested range not satisfiable").header("Content-Range", "bytes */" + size);
    }
}
