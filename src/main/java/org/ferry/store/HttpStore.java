package org.ferry.store;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** Glance's read-only {@code http} store: serves locations that are http(s) URLs; never written to. */
public final class HttpStore implements Store {
    private final String id;
    private final Optional<String> description;
    private final int weight;
    private final OkHttpClient http;

    public HttpStore(String id, Optional<String> description, int weight, OkHttpClient http) {
        this.id = id;
        this.description = description;
        this.weight = weight;
        this.http = http;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public Optional<String> description() {
        return description;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of();
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        throw new IOException("store " + id + " is a read-only http store");
    }

    @Override
    public boolean owns(String url) {
        return url != null && (url.startsWith("http://") || url.startsWith("https://"));
    }

    @Override
    public StoreData open(String url) throws IOException {
        Response r = http.newCall(new Request.Builder().url(url).get().build()).execute();
        if (!r.isSuccessful()) {
            r.close();
            throw new IOException("GET " + url + " answered " + r.code());
        }
        long size = r.body().contentLength();
        return new StoreData(size, null, r.body().byteStream());
    }

    @Override
    public void delete(String url) {
        // the data belongs to the web server; Glance's http store cannot delete either
    }
}
