package org.ferry.store.s3;

import org.ferry.testing.TestS3;

/**
 * {@link S3StoreTest}'s tests against Swift's s3api (the Swift lab, Swift 2.30), a second S3 implementation beside
 * radosgw: multipart uploads, their abort and listing, ranged reads and Glance's location forms must work on both.
 */
class S3StoreOnSwiftS3ApiTest extends S3StoreTest {
    @Override
    TestS3 lab() {
        return TestS3.swiftS3Api();
    }
}
