package org.ferry.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answer: HTTP status, Glance's explanation text, and any extra headers (Allow, Accept-Patch, ...). */
public class ApiException extends RuntimeException {
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(int status, String explanation) {
        super(explanation == null ? "" : explanation);
        this.status = status;
    }

    public ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String explanation() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String msg) {
        return new ApiException(400, msg);
    }

    public static ApiException forbidden(String msg) {
        return new ApiException(403, msg);
    }

    public static ApiException notFound(String msg) {
        return new ApiException(404, msg);
    }

    public static ApiException conflict(String msg) {
        return new ApiException(409, msg);
    }

    public static ApiException imageNotFound(String id) {
        return notFound("No image found with ID " + id);
    }
}
