package org.ferry.store.s3;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;

/**
 * An S3 object read from a position to its end. The GET is sent at the first read, with a Range from where
 * {@link #skip} moved, so a ranged download fetches only its bytes.
 */
final class S3ReadStream extends InputStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private long position;
    private ResponseInputStream<GetObjectResponse> body;
    private boolean closed;

    S3ReadStream(S3Client s3, String bucket, String key, long size) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        if (body == null) {
            try {
                long from = position;
                body = s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + from + "-"));
            } catch (SdkException e) {
                throw S3Store.failure("reading " + key, e);
            }
        }
        int n = body.read(b, off, (int) Math.min(len, size - position));
        if (n < 0) {
            throw new IOException("S3 ended " + key + " at byte " + position + " of " + size);
        }
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || position >= size) {
            return 0;
        }
        long skipped = Math.min(n, size - position);
        if (body != null) {
            body.abort(); // the next read asks for a new range
            body = null;
        }
        position += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (body != null) {
            if (position < size) {
                body.abort(); // do not drain the rest of the object to reuse the connection
            }
            body.close();
        }
    }
}
