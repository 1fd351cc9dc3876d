package ferry.bench.s3;

import java.io.InputStream;
import java.util.List;

/** The calls an s3 store driver makes, each client's way. Every call is synchronous. */
public interface S3Ops extends AutoCloseable {

    record Head(long size, String etag) {}

    record Upload(String key, String uploadId) {}

    void createBucket(String bucket) throws Exception;

    /** Keys of the bucket's objects (one listing page is enough here). */
    List<String> listKeys(String bucket) throws Exception;

    /** Multipart uploads in progress in the bucket. */
    List<Upload> listUploads(String bucket) throws Exception;

    void deleteObject(String bucket, String key) throws Exception;

    void deleteBucket(String bucket) throws Exception;

    String createMultipart(String bucket, String key) throws Exception;

    /** Uploads data[0, length) as part partNumber; returns its ETag. The array must not be copied or kept. */
    String uploadPart(String bucket, String key, String uploadId, int partNumber, byte[] data, int length)
            throws Exception;

    /** Returns the ETag the client reports for the object (radosgw 16.2 answers an empty one). */
    String completeMultipart(String bucket, String key, String uploadId, List<String> etags) throws Exception;

    void abortMultipart(String bucket, String key, String uploadId) throws Exception;

    Head head(String bucket, String key) throws Exception;

    /** The whole object, streamed. */
    InputStream get(String bucket, String key) throws Exception;

    /** Bytes [offset, offset + length) of the object, streamed. */
    InputStream getRange(String bucket, String key, long offset, long length) throws Exception;

    @Override
    default void close() throws Exception {}
}
