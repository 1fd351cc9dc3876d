package org.ferry.store.s3;

import org.ferry.store.RangeReadStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;

/**
 * An S3 object read from a position to its end. The GET is sent at the first read, with a Range from where
 * {@link #skip} moved, so a ranged download fetches only its bytes.
 */
final class S3ReadStream extends RangeReadStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private ResponseInputStream<GetObjectResponse> body;

    S3ReadStream(S3Client s3, String bucket, String key, long size) {
        super(size);
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
    }

    @Override
    protected int readAtPosition(byte[] b, int off, int len) throws IOException {
        if (body == null) {
            try {
                long from = position();
                body = s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + from + "-"));
            } catch (SdkException e) {
                throw S3Store.failure("reading " + key, e);
            }
        }
        int n = body.read(b, off, len);
        if (n < 0) {
            throw new IOException("S3 ended " + key + " at byte " + position() + " of " + size);
        }
        return n;
    }

    @Override
    protected void positionMoved() {
        if (body != null) {
            body.abort(); // the next read asks for a new range
            body = null;
        }
    }

    @Override
    protected void release() {
        if (body != null) {
            body.abort(); // do not drain the rest of the object to reuse the connection
            body = null;
        }
    }
}
