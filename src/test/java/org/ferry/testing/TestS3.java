package org.ferry.testing;

import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real S3 the s3 store tests run against: the Ceph lab's radosgw ({@code scripts/ceph-lab.sh}), described by the
 * {@code FERRY_S3_*} variables its {@code env} command prints. Unset, a test is skipped on a developer's machine but
 * fails under CI (env {@code CI} set).
 *
 * @param endpoint  {@code http://127.0.0.1:7480}
 * @param accessKey the lab user's access key
 * @param secretKey the lab user's secret key
 */
public record TestS3(String endpoint, String accessKey, String secretKey) {
    public static TestS3 lab() {
        String endpoint = System.getenv("FERRY_S3_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            if (System.getenv("CI") != null) {
                fail("FERRY_S3_ENDPOINT is not set but CI is: the S3 tests must run in CI. "
                        + "Run the suite with scripts/test.sh, which starts the Ceph lab with radosgw and sets it.");
            }
            Assumptions.abort("FERRY_S3_ENDPOINT is not set: S3 test skipped "
                    + "(scripts/test.sh sets it; or eval \"$(bash scripts/ceph-lab.sh env)\")");
        }
        return new TestS3(endpoint, env("FERRY_S3_ACCESS_KEY"), env("FERRY_S3_SECRET_KEY"));
    }

    /**
     * Swift's s3api in the Swift lab ({@code scripts/swift-lab.sh}, tempauth's keys), a second S3 implementation.
     * Unset, a test is skipped on a developer's machine but fails under CI.
     */
    public static TestS3 swiftS3Api() {
        String endpoint = System.getenv("FERRY_SWIFT_S3_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            if (System.getenv("CI") != null) {
                fail("FERRY_SWIFT_S3_ENDPOINT is not set but CI is: run the suite with scripts/test.sh, which starts "
                        + "the Swift lab and sets it.");
            }
            Assumptions.abort("FERRY_SWIFT_S3_ENDPOINT is not set: Swift s3api test skipped "
                    + "(eval \"$(bash scripts/swift-lab.sh env)\")");
        }
        return new TestS3(endpoint, env("FERRY_SWIFT_S3_ACCESS_KEY"), env("FERRY_SWIFT_S3_SECRET_KEY"));
    }

    /**
     * A plain SDK client on the lab, for the tests' own set-up and checks: path-style, and checksums only where S3
     * requires them (radosgw 16 refuses the SDK's default trailing checksums, docs/s3-client-choice.md).
     */
    public S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey,
                        secretKey))).build();
    }

    /**
     * Removes {@code bucket} with whatever is still in it, and says what that was: the keys of objects and of
     * unfinished multipart uploads ({@code upload:<key>}); empty when the bucket was empty or never made.
     */
    public List<String> removeBucket(String bucket) {
        List<String> left = new ArrayList<>();
        try (S3Client c = client()) {
            for (MultipartUpload u : c.listMultipartUploadsPaginator(r -> r.bucket(bucket)).uploads()) {
                left.add("upload:" + u.key());
                c.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
            }
            for (S3Object o : c.listObjectsV2Paginator(r -> r.bucket(bucket)).contents()) {
                left.add(o.key());
                c.deleteObject(r -> r.bucket(bucket).key(o.key()));
            }
            c.deleteBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException e) {
            // never made
        }
        return left;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            fail(name + " is not set while FERRY_S3_ENDPOINT is: export all of `bash scripts/ceph-lab.sh env`");
        }
        return v;
    }
}
