package ferry.bench.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * Ferry's fallback: a minimal AWS Signature V4 signer on plain OkHttp 4.12 (Ferry's own), path-style. Option payload:
 * sha256 (default; the payload's SHA-256 is signed, as the AWS SDK and MinIO do over http) or unsigned
 * (UNSIGNED-PAYLOAD: no hash of the part at all). XML answers are read with regular expressions: enough here.
 */
public final class OkHttpMain implements S3Ops {
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final OkHttpClient http;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private final String region;
    private final boolean signPayload;

    OkHttpMain(Bench.Config cfg) {
        this.endpoint = URI.create(cfg.endpoint());
        this.accessKey = cfg.accessKey();
        this.secretKey = cfg.secretKey();
        this.region = cfg.region();
        this.signPayload = !"unsigned".equals(cfg.option("payload", "sha256"));
        this.http = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(cfg.threads() + 4, 5, TimeUnit.MINUTES))
                .readTimeout(5, TimeUnit.MINUTES)
                .writeTimeout(5, TimeUnit.MINUTES)
                .retryOnConnectionFailure(false)
                .build();
    }

    public static void main(String[] args) throws Exception {
        String payload = "sha256";
        for (String a : args) if (a.startsWith("payload=")) payload = a.substring(8);
        Bench.main("unsigned".equals(payload) ? "okhttp-unsigned" : "okhttp-sigv4", args, OkHttpMain::new);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // --- signing ---

    private static String encode(String s, boolean slash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (c == '/' && !slash)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256Hex(byte[] data, int off, int len) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(data, off, len);
        return HexFormat.of().formatHex(d.digest());
    }

    /** A signed request; path is /bucket[/key], query unencoded (sorted here), payloadHash as sent. */
    private Request signed(String method, String path, Map<String, String> query, RequestBody body,
                           String payloadHash, Map<String, String> extraHeaders) throws Exception {
        String amzDate = ZonedDateTime.now(ZoneOffset.UTC).format(AMZ_DATE);
        String day = amzDate.substring(0, 8);
        String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        String canonicalPath = encode(path, false);
        StringBuilder qs = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(query).entrySet()) {
            if (qs.length() > 0) qs.append('&');
            qs.append(encode(e.getKey(), true)).append('=').append(encode(e.getValue(), true));
        }
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("x-amz-date", amzDate);
        StringBuilder canonicalHeaders = new StringBuilder();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            canonicalHeaders.append(e.getKey()).append(':').append(e.getValue().trim()).append('\n');
        }
        String signedHeaders = String.join(";", headers.keySet());
        String canonicalRequest = method + "\n" + canonicalPath + "\n" + qs + "\n" + canonicalHeaders + "\n"
                + signedHeaders + "\n" + payloadHash;
        String scope = day + "/" + region + "/s3/aws4_request";
        byte[] crBytes = canonicalRequest.getBytes(StandardCharsets.UTF_8);
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(crBytes, 0, crBytes.length);
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, region);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(key, toSign));
        Request.Builder rb = new Request.Builder()
                .url(endpoint.getScheme() + "://" + host + canonicalPath + (qs.length() > 0 ? "?" + qs : ""))
                .header("x-amz-content-sha256", payloadHash)
                .header("x-amz-date", amzDate)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
                        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature)
                .header("Accept-Encoding", "identity"); // OkHttp would ask for gzip and unzip transparently
        extraHeaders.forEach(rb::header);
        rb.method(method, body != null ? body
                : ("PUT".equals(method) || "POST".equals(method)) ? RequestBody.create(new byte[0]) : null);
        return rb.build();
    }

    private Response call(String method, String path, Map<String, String> query) throws Exception {
        return checked(http.newCall(signed(method, path, query, null, EMPTY_SHA256, Map.of())).execute());
    }

    private static Response checked(Response r) throws IOException {
        if (r.isSuccessful()) return r;
        String body = r.body() != null ? r.body().string() : "";
        r.close();
        throw new IOException("HTTP " + r.code() + " " + r.request().method() + " " + r.request().url() + ": " + body);
    }

    private String text(String method, String path, Map<String, String> query) throws Exception {
        try (Response r = call(method, path, query)) {
            return r.body().string();
        }
    }

    private static List<String> all(String xml, String tag) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(xml);
        while (m.find()) out.add(m.group(1).replace("&quot;", "\"").replace("&amp;", "&"));
        return out;
    }

    // --- the calls ---

    @Override
    public void createBucket(String bucket) throws Exception {
        call("PUT", "/" + bucket, Map.of()).close();
    }

    @Override
    public List<String> listKeys(String bucket) throws Exception {
        return all(text("GET", "/" + bucket, Map.of("list-type", "2")), "Key");
    }

    @Override
    public List<Upload> listUploads(String bucket) throws Exception {
        String xml = text("GET", "/" + bucket, Map.of("uploads", ""));
        List<Upload> out = new ArrayList<>();
        Matcher m = Pattern.compile("<Upload>.*?<Key>([^<]*)</Key>.*?<UploadId>([^<]*)</UploadId>.*?</Upload>",
                Pattern.DOTALL).matcher(xml);
        while (m.find()) out.add(new Upload(m.group(1), m.group(2)));
        return out;
    }

    @Override
    public void deleteObject(String bucket, String key) throws Exception {
        call("DELETE", "/" + bucket + "/" + key, Map.of()).close();
    }

    @Override
    public void deleteBucket(String bucket) throws Exception {
        call("DELETE", "/" + bucket, Map.of()).close();
    }

    @Override
    public String createMultipart(String bucket, String key) throws Exception {
        return all(text("POST", "/" + bucket + "/" + key, Map.of("uploads", "")), "UploadId").get(0);
    }

    @Override
    public String uploadPart(String bucket, String key, String uploadId, int partNumber, byte[] data, int length)
            throws Exception {
        RequestBody body = new RequestBody() { // streams from the caller's array: no copy
            @Override
            public MediaType contentType() {
                return OCTETS;
            }

            @Override
            public long contentLength() {
                return length;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(data, 0, length);
            }
        };
        String hash = signPayload ? sha256Hex(data, 0, length) : "UNSIGNED-PAYLOAD";
        Request req = signed("PUT", "/" + bucket + "/" + key,
                Map.of("partNumber", Integer.toString(partNumber), "uploadId", uploadId), body, hash, Map.of());
        try (Response r = checked(http.newCall(req).execute())) {
            return r.header("ETag");
        }
    }

    @Override
    public String completeMultipart(String bucket, String key, String uploadId, List<String> etags) throws Exception {
        StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < etags.size(); i++) {
            xml.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>")
                    .append(etags.get(i).replace("\"", "&quot;")).append("</ETag></Part>");
        }
        byte[] bytes = xml.append("</CompleteMultipartUpload>").toString().getBytes(StandardCharsets.UTF_8);
        Request req = signed("POST", "/" + bucket + "/" + key, Map.of("uploadId", uploadId),
                RequestBody.create(bytes, MediaType.get("application/xml")), sha256Hex(bytes, 0, bytes.length),
                Map.of());
        try (Response r = checked(http.newCall(req).execute())) {
            String answer = r.body().string();
            if (answer.contains("<Error>")) throw new IOException("CompleteMultipartUpload: " + answer); // 200 + error
            List<String> etag = all(answer, "ETag");
            return etag.isEmpty() ? null : etag.get(0);
        }
    }

    @Override
    public void abortMultipart(String bucket, String key, String uploadId) throws Exception {
        call("DELETE", "/" + bucket + "/" + key, Map.of("uploadId", uploadId)).close();
    }

    @Override
    public Head head(String bucket, String key) throws Exception {
        try (Response r = call("HEAD", "/" + bucket + "/" + key, Map.of())) {
            return new Head(Long.parseLong(r.header("Content-Length")), r.header("ETag"));
        }
    }

    @Override
    public InputStream get(String bucket, String key) throws Exception {
        return call("GET", "/" + bucket + "/" + key, Map.of()).body().byteStream(); // closing it closes the call
    }

    @Override
    public InputStream getRange(String bucket, String key, long offset, long length) throws Exception {
        Request req = signed("GET", "/" + bucket + "/" + key, Map.of(), null, EMPTY_SHA256,
                Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)));
        return checked(http.newCall(req).execute()).body().byteStream();
    }
}
