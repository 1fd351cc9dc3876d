package ferry.bench.s3;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * AWS SDK for Java v2, sync S3Client, on the HTTP client of option http: urlconn (url-connection-client, module aws)
 * or apache (apache-client, module aws-apache). Option checksum: when_required (the default here: no CRC32 on
 * every upload, as before 2.30) or sdk (the SDK's own default since 2.30, when_supported). Option chunked: the
 * S3Configuration chunkedEncodingEnabled (default true).
 */
public final class AwsMain implements S3Ops {
    private final S3Client s3;
    private final SdkHttpClient http;

    AwsMain(Bench.Config cfg) {
        this.http = "apache".equals(cfg.option("http", "urlconn")) ? Apache.build(cfg) : UrlConn.build(cfg);
        S3ClientBuilder b = S3Client.builder()
                .endpointOverride(URI.create(cfg.endpoint()))
                .region(Region.of(cfg.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(cfg.accessKey(), cfg.secretKey())))
                .forcePathStyle(true)
                .serviceConfiguration(S3Configuration.builder()
                        .chunkedEncodingEnabled(Boolean.parseBoolean(cfg.option("chunked", "true")))
                        .build())
                .httpClient(http);
        if (!"sdk".equals(cfg.option("checksum", "when_required"))) {
            b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        this.s3 = b.build();
    }

    /** Separate classes, so that the client that is not on the class path is never loaded. */
    static final class Apache {
        static SdkHttpClient build(Bench.Config cfg) {
            return software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                    .maxConnections(cfg.threads() + 4)
                    .build();
        }
    }

    static final class UrlConn {
        static SdkHttpClient build(Bench.Config cfg) {
            // HttpURLConnection keeps 5 idle connections per host by default (http.maxConnections)
            System.setProperty("http.maxConnections", Integer.toString(cfg.threads() + 4));
            return software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()
                    .socketTimeout(Duration.ofMinutes(5))
                    .build();
        }
    }

    public static void main(String[] args) throws Exception {
        String http = "urlconn";
        for (String a : args) if (a.startsWith("http=")) http = a.substring(5);
        Bench.main("aws-" + http, args, AwsMain::new);
    }

    @Override
    public void close() {
        s3.close();
        http.close();
    }

    @Override
    public void createBucket(String bucket) {
        s3.createBucket(r -> r.bucket(bucket));
    }

    @Override
    public List<String> listKeys(String bucket) {
        return s3.listObjectsV2(r -> r.bucket(bucket)).contents().stream().map(S3Object::key).toList();
    }

    @Override
    public List<Upload> listUploads(String bucket) {
        List<Upload> out = new ArrayList<>();
        for (MultipartUpload u : s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()) {
            out.add(new Upload(u.key(), u.uploadId()));
        }
        return out;
    }

    @Override
    public void deleteObject(String bucket, String key) {
        s3.deleteObject(r -> r.bucket(bucket).key(key));
    }

    @Override
    public void deleteBucket(String bucket) {
        s3.deleteBucket(r -> r.bucket(bucket));
    }

    @Override
    public String createMultipart(String bucket, String key) {
        return s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
    }

    @Override
    public String uploadPart(String bucket, String key, String uploadId, int partNumber, byte[] data, int length) {
        // RequestBody.fromBytes would copy the 10 MiB array; a content provider streams from it (and can be read
        // again, which the SDK does over http to hash the payload for the signature, and on a retry)
        RequestBody body = RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(data, 0, length), length, "application/octet-stream");
        return s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                .contentLength((long) length), body).eTag();
    }

    @Override
    public String completeMultipart(String bucket, String key, String uploadId, List<String> etags) {
        List<CompletedPart> parts = new ArrayList<>();
        for (int i = 0; i < etags.size(); i++) {
            parts.add(CompletedPart.builder().partNumber(i + 1).eTag(etags.get(i)).build());
        }
        return s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())).eTag();
    }

    @Override
    public void abortMultipart(String bucket, String key, String uploadId) {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
    }

    @Override
    public Head head(String bucket, String key) {
        HeadObjectResponse h = s3.headObject(r -> r.bucket(bucket).key(key));
        return new Head(h.contentLength(), h.eTag());
    }

    @Override
    public InputStream get(String bucket, String key) {
        return s3.getObject(r -> r.bucket(bucket).key(key));
    }

    @Override
    public InputStream getRange(String bucket, String key, long offset, long length) {
        return s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + offset + "-" + (offset + length - 1)));
    }
}
