package org.ferry.store.swift;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.ferry.json.Jackson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The object calls of Swift's API a swift store makes in a container of an account: look, list, delete. */
final class SwiftObjects {
    private SwiftObjects() {
    }

    static boolean exists(SwiftAccount account, String container, String object) throws IOException {
        try (Response r = account.send(new Request.Builder().url(account.url(container, object)).head())) {
            if (r.code() == 404) {
                return false;
            }
            if (r.code() / 100 != 2) {
                throw SwiftStore.answered("looking for " + container + "/" + object, r);
            }
            return true;
        }
    }

    /** Deletes objects of one container, several at once. */
    static void deleteAll(ExecutorService pool, SwiftAccount account, String container, List<String> names)
            throws IOException {
        List<Future<?>> pending = new ArrayList<>();
        for (String name : names) {
            pending.add(pool.submit(() -> {
                deleteObject(account, account.url(container, name), container + "/" + name);
                return null;
            }));
            if (pending.size() >= 8) {
                awaitAll(pending);
            }
        }
        awaitAll(pending);
    }

    private static void awaitAll(List<Future<?>> pending) throws IOException {
        IOException first = null;
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while deleting segments", e);
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            }
        }
        pending.clear();
        if (first != null) {
            throw first;
        }
    }

    static void deleteObject(SwiftAccount account, HttpUrl url, String what) throws IOException {
        try (Response r = account.send(new Request.Builder().url(url).delete())) {
            if (r.code() / 100 != 2 && r.code() != 404) {
                throw SwiftStore.answered("deleting " + what, r);
            }
        }
    }

    /** An object of a container listing. */
    record Listed(String name, long bytes) {
    }

    /** The object names of a container that start with {@code prefix}, page by page. */
    static List<String> listNames(SwiftAccount account, String container, String prefix) throws IOException {
        return list(account, container, prefix).stream().map(Listed::name).toList();
    }

    /** The objects of a container that start with {@code prefix}, in Swift's (the manifest's) order. */
    static List<Listed> list(SwiftAccount account, String container, String prefix) throws IOException {
        List<Listed> names = new ArrayList<>();
        String marker = "";
        while (true) {
            HttpUrl u = account.url(container).newBuilder().addQueryParameter("format", "json")
                    .addQueryParameter("prefix", prefix).addQueryParameter("marker", marker).build();
            try (Response r = account.send(new Request.Builder().url(u).get())) {
                if (r.code() == 404) {
                    return names;
                }
                if (r.code() / 100 != 2) {
                    throw SwiftStore.answered("listing container " + container, r);
                }
                if (r.code() == 204) {
                    return names;
                }
                JsonNode page = Jackson.MAPPER.readTree(r.body().byteStream());
                if (!page.isArray() || page.isEmpty()) {
                    return names;
                }
                for (JsonNode o : page) {
                    names.add(new Listed(o.path("name").asText(), o.path("bytes").asLong()));
                }
                marker = names.get(names.size() - 1).name();
            }
        }
    }
}
