package ferry.bench.s3;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveBucketArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.messages.Item;
import io.minio.messages.Part;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * MinIO Java client 8.5 (OkHttp 4.12). Its low-level multipart calls are public only on MinioAsyncClient (on
 * MinioClient they are protected and deprecated), so every call here is the async one, joined. The async client
 * runs calls through OkHttp's Dispatcher, whose default of 5 requests per host would cap 10 upload threads at 5:
 * the OkHttpClient given to it raises that (option okhttp=default keeps MinIO's own client to see the cap).
 */
public final class MinioMain implements S3Ops {
    private final MinioAsyncClient client;
    private final String region;

    MinioMain(Bench.Config cfg) {
        this.region = cfg.region();
        MinioAsyncClient.Builder b = MinioAsyncClient.builder()
                .endpoint(cfg.endpoint())
                .credentials(cfg.accessKey(), cfg.secretKey())
                .region(cfg.region()); // a region given: no GetBucketLocation before the first call to a bucket
        if (!"default".equals(cfg.option("okhttp", ""))) {
            Dispatcher dispatcher = new Dispatcher();
            dispatcher.setMaxRequests(cfg.threads() + 4);
            dispatcher.setMaxRequestsPerHost(cfg.threads() + 4);
            b.httpClient(new OkHttpClient.Builder()
                    .dispatcher(dispatcher)
                    .connectionPool(new ConnectionPool(cfg.threads() + 4, 5, TimeUnit.MINUTES))
                    .connectTimeout(5, TimeUnit.MINUTES) // MinIO's own defaults
                    .writeTimeout(5, TimeUnit.MINUTES)
                    .readTimeout(5, TimeUnit.MINUTES)
                    .protocols(List.of(Protocol.HTTP_1_1))
                    .build());
        }
        this.client = b.build();
    }

    public static void main(String[] args) throws Exception {
        Bench.main("minio", args, MinioMain::new);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    @Override
    public void createBucket(String bucket) throws Exception {
        await(client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build()));
    }

    @Override
    public List<String> listKeys(String bucket) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
            keys.add(r.get().objectName());
        }
        return keys;
    }

    @Override
    public List<Upload> listUploads(String bucket) throws Exception {
        return await(client.listMultipartUploadsAsync(bucket, region, null, null, null, 1000, null, null, null, null))
                .result().uploads().stream().map(u -> new Upload(u.objectName(), u.uploadId())).toList();
    }

    @Override
    public void deleteObject(String bucket, String key) throws Exception {
        await(client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    @Override
    public void deleteBucket(String bucket) throws Exception {
        await(client.removeBucket(RemoveBucketArgs.builder().bucket(bucket).build()));
    }

    @Override
    public String createMultipart(String bucket, String key) throws Exception {
        return await(client.createMultipartUploadAsync(bucket, region, key, null, null)).result().uploadId();
    }

    @Override
    public String uploadPart(String bucket, String key, String uploadId, int partNumber, byte[] data, int length)
            throws Exception {
        // byte[]: sent as is (no copy), but hashed twice first: Content-MD5, and over http x-amz-content-sha256
        return await(client.uploadPartAsync(bucket, region, key, data, length, uploadId, partNumber, null, null))
                .etag();
    }

    @Override
    public String completeMultipart(String bucket, String key, String uploadId, List<String> etags) throws Exception {
        Part[] parts = new Part[etags.size()];
        for (int i = 0; i < parts.length; i++) parts[i] = new Part(i + 1, etags.get(i));
        return await(client.completeMultipartUploadAsync(bucket, region, key, uploadId, parts, null, null)).etag();
    }

    @Override
    public void abortMultipart(String bucket, String key, String uploadId) throws Exception {
        await(client.abortMultipartUploadAsync(bucket, region, key, uploadId, null, null));
    }

    @Override
    public Head head(String bucket, String key) throws Exception {
        StatObjectResponse s = await(client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
        return new Head(s.size(), s.etag());
    }

    @Override
    public InputStream get(String bucket, String key) throws Exception {
        return await(client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    @Override
    public InputStream getRange(String bucket, String key, long offset, long length) throws Exception {
        return await(client.getObject(
                GetObjectArgs.builder().bucket(bucket).object(key).offset(offset).length(length).build()));
    }
}
