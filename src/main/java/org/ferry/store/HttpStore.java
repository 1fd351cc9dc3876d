package org.ferry.store;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.util.Map;

/** Glance's read-only {@code http} store: serves locations that are http(s) URLs; never written to. */
public final class HttpStore implements Store {
    private final StoreSettings settings;
    private final HttpStoreOptions options;
    private final OkHttpClient http;

    public HttpStore(StoreSettings settings, HttpStoreOptions options, OkHttpClient http) {
        this.settings = settings;
        this.options = options;
        this.http = http;
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public HttpStoreOptions options() {
        return options;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of();
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        throw new IOException("store " + id() + " is a read-only http store");
    }

    @Override
    public boolean owns(String url) {
        return url != null && (url.startsWith("http://") || url.startsWith("https://"));
    }

    /**
     * Streams a location's data. The location was never written by Ferry (an http store only serves URLs that
     * locations name). {@code identity} encoding keeps OkHttp from unzipping, so the bytes and the size are the
     * server's own.
     */
    @Override
    public StoreData open(String url) throws IOException {
        Response r = call(url, "GET");
        long size = r.body().contentLength();
        return new StoreData(size, null, r.body().byteStream());
    }

    /**
     * The size of a location's data as glance_store's http driver finds it: a HEAD request, or, for a server that
     * refuses HEAD or gives no length, the Content-Length of a GET whose body is not read.
     *
     * @return the size, or -1 when the server does not say
     */
    public long size(String url) throws IOException {
        try (Response head = http.newCall(request(url).head().build()).execute()) {
            String len = head.header("Content-Length");
            if (head.isSuccessful() && len != null) {
                try {
                    return Long.parseLong(len.strip());
                } catch (NumberFormatException e) {
                    // fall through to GET
                }
            } else if (head.code() == 404 || head.code() == 410) {
                throw new IOException("HEAD " + LocationUrls.shown(url) + " answered " + head.code());
            }
        }
        try (Response get = call(url, "GET")) {
            return get.body().contentLength();
        }
    }

    private Response call(String url, String method) throws IOException {
        Response r = http.newCall(request(url).method(method, null).build()).execute();
        if (!r.isSuccessful()) {
            r.close();
            throw new IOException(method + " " + LocationUrls.shown(url) + " answered " + r.code());
        }
        return r;
    }

    private static Request.Builder request(String url) throws IOException {
        try {
            return new Request.Builder().url(url).header("Accept-Encoding", "identity");
        } catch (IllegalArgumentException e) {
            throw new IOException("not a usable http(s) URL: " + url, e);
        }
    }

    @Override
    public void delete(String url) {
        // the data belongs to the web server; Glance's http store cannot delete either
    }
}
