package org.ferry.remote;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Outbound GETs for imports: follows up to 10 redirects itself so that every hop passes [import_filtering_opts],
 * and sends the caller's token only to the origin it was meant for (Glance forwards it to any redirect target).
 *
 * <p>The read timeout is the socket's own ({@code SO_TIMEOUT}, set on each exchange's connection), not OkHttp's: OkHttp
 * also arms an Okio {@code AsyncTimeout} around every socket read, at most 8 KiB, and each one wakes its watchdog
 * thread. For a 4 GiB glance-download that was half a million wake-ups, and the watchdog thread used about as much
 * CPU as the kernel's copy of the bytes out of the socket (perf, benchmark machine). Only HTTP/1.1 is spoken, where a
 * socket timeout means exactly "no byte for this long" (an HTTP/2 connection's socket is shared by its streams).
 */
public final class SafeHttp {
    private static final int MAX_REDIRECTS = 10;

    private final OkHttpClient http;
    private final UriFilter filter;

    public SafeHttp(OkHttpClient base, UriFilter filter) {
        int readTimeoutMillis = base.readTimeoutMillis();
        this.http = base.newBuilder().followRedirects(false).followSslRedirects(false)
                .protocols(List.of(Protocol.HTTP_1_1))
                .readTimeout(Duration.ZERO)
                .addNetworkInterceptor(chain -> {
                    chain.connection().socket().setSoTimeout(readTimeoutMillis);
                    return chain.proceed(chain.request());
                })
                .build();
        this.filter = filter;
    }

    /**
     * @param filterFirst whether the first URL must pass the filter too (web-download and glance-download's file URL)
     * @param token       X-Auth-Token for the first URL's origin, or null
     * @param offset      a Range start for resumed downloads, or 0
     * @return a successful (2xx) response; the caller closes it
     */
    public Response get(String url, boolean filterFirst, String token, long offset, String what) throws IOException {
        HttpUrl first = HttpUrl.parse(url);
        if (first == null) {
            throw new RemoteFailure(what + ": '" + url + "' is not an http(s) URL");
        }
        HttpUrl current = first;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            if (hop > 0 || filterFirst) {
                Optional<String> refused = filter.check(current.toString());
                if (refused.isPresent()) {
                    throw new RemoteFailure(what + ": URI " + current + " does not pass filtering: " + refused.get());
                }
            }
            Request.Builder rb = new Request.Builder().url(current).get();
            if (token != null && sameOrigin(first, current)) {
                rb.header("X-Auth-Token", token);
            }
            if (offset > 0) {
                rb.header("Range", "bytes=" + offset + "-");
            }
            Response r;
            try {
                r = http.newCall(rb.build()).execute();
            } catch (IOException e) {
                throw new RemoteFailure(what + ": request to " + current + " failed: " + describe(e));
            }
            if (r.isRedirect()) {
                String location = r.header("Location");
                r.close();
                HttpUrl next = location == null ? null : current.resolve(location);
                if (next == null) {
                    throw new RemoteFailure(what + ": " + current + " answered " + r.code() + " without a usable Location");
                }
                current = next;
                continue;
            }
            if (!r.isSuccessful()) {
                int code = r.code();
                r.close();
                throw new RemoteFailure(what + ": " + current + " answered " + code);
            }
            return r;
        }
        throw new RemoteFailure(what + ": more than " + MAX_REDIRECTS + " redirects from " + url);
    }

    /**
     * A filtered GET whose body resumes after a broken connection ({@link ResumingStream}); every resumed request
     * passes the same checks and carries the token the same way as the first.
     */
    public ResumingStream download(String url, String token, String what, int maxResumes) throws IOException {
        Response first = get(url, true, token, 0, what);
        return new ResumingStream(url, what, first, offset -> get(url, true, token, offset, what), maxResumes);
    }

    static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }
}
