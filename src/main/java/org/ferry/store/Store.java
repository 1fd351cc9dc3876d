package org.ferry.store;

import org.ferry.auth.RequestContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Optional;

/** One backend of {@code enabled_backends}: where image data is written to and read from. */
public interface Store {
    /** The options every store has: id, description, weight. */
    StoreSettings settings();

    default String id() {
        return settings().id();
    }

    /** The options of the store's driver, read from its section. */
    DriverOptions options();

    /** The driver name of enabled_backends, e.g. {@code file} or {@code http}. */
    default String type() {
        return options().type();
    }

    default Optional<String> description() {
        return settings().description();
    }

    default int weight() {
        return settings().weight();
    }

    default boolean writable() {
        return options().writable();
    }

    /** The driver details GET /v2/info/stores/detail shows. */
    Map<String, Object> properties();

    /** Starts writing an image's data; nothing is visible in the store until the write is committed. */
    StoreWrite beginWrite(String imageId) throws IOException;

    /**
     * Like {@link #beginWrite(String)} when the size is known in advance ({@code -1} when it is not), so a driver
     * can size its object once instead of growing it.
     */
    default StoreWrite beginWrite(String imageId, long expectedSize) throws IOException {
        return beginWrite(imageId);
    }

    /**
     * Like {@link #beginWrite(String, long)}, on behalf of a caller: a store that writes into the caller's own
     * account (swift_store_multi_tenant) uses the caller's token and catalog; others ignore it.
     *
     * @param caller the user the write is for; null when none is known (a run recovered after a restart)
     */
    default StoreWrite beginWrite(String imageId, long expectedSize, RequestContext caller) throws IOException {
        return beginWrite(imageId, expectedSize);
    }

    /**
     * Whether an import puts a staged file into this store without reading it (a file store: a hard link or a
     * kernel-side copy). Other stores are written while the data streams in, so the bytes pass once.
     */
    default boolean adoptsStagedFiles() {
        return false;
    }

    /**
     * Copies a location of another store into this one inside the back end, without moving the bytes through Ferry
     * (e.g. between two rbd stores of one Ceph cluster). Empty when this store cannot; the write is then done by
     * streaming. The returned write is committed or aborted like any other.
     */
    default Optional<StoreWrite> copyInside(Store source, String sourceUrl, String imageId) throws IOException {
        return Optional.empty();
    }

    /** True if this store can serve the URL of a location. */
    boolean owns(String url);

    /**
     * Whether the store reads this location of its own with its own configured access rather than with credentials
     * the URL carries ({@code swift+config://}, an s3 URL without keys): such a location opens any object of the
     * account or bucket, so only an admin or a service may register one (Glance refuses {@code swift+config} from
     * its API altogether, LP #1400966).
     */
    default boolean readsWithItsOwnAccess(String url) {
        return false;
    }

    /** Opens a location's data for reading; file stores give a channel so downloads can use sendfile. */
    StoreData open(String url) throws IOException;

    /** Like {@link #open(String)}, on behalf of a caller (see {@link #beginWrite(String, long, RequestContext)}). */
    default StoreData open(String url, RequestContext caller) throws IOException {
        return open(url);
    }

    void delete(String url) throws IOException;

    /** Like {@link #delete(String)}, on behalf of a caller (see {@link #beginWrite(String, long, RequestContext)}). */
    default void delete(String url, RequestContext caller) throws IOException {
        delete(url);
    }

    /**
     * Whether who may read a location is kept in the store itself (the multi-tenant swift store: container ACLs), so
     * {@link #setAcls} must follow the image's visibility and members.
     */
    default boolean keepsAcls() {
        return false;
    }

    /**
     * Lets every project read the location ({@code everyone}), or the given projects; the store's admin projects
     * keep write access. A no-op unless {@link #keepsAcls()}.
     */
    default void setAcls(String url, boolean everyone, java.util.Collection<String> readProjects,
                         RequestContext caller) throws IOException {
    }

    /**
     * Throws {@link StoreInUseException} when {@link #delete} would be refused because something outside Ferry uses
     * the data (an rbd snapshot with clones), so a delete can be refused before anything is removed.
     */
    default void checkDeletable(String url) throws IOException {
    }

    /**
     * Removes what an unfinished write of this image left in the store (after a crash); a no-op when nothing is.
     *
     * @throws StoreInUseException when the leftover is still held by its writer; try again later
     */
    default void purgePartials(String imageId) throws IOException {
    }

    /**
     * Resumes what copies made inside the back end still had to do after their commit when Ferry stopped (rbd: the
     * flatten that makes a copy independent of its source). Called once at start; the work runs in the background.
     */
    default void finishCopiesInside() throws IOException {
    }

    /**
     * Whether {@link #unfinishedWrites} names only writes Ferry itself started (an rbd image carries Ferry's mark).
     * When not (an S3 multipart upload carries nothing to tell), a leftover is Ferry's only if the catalog knows its
     * image id: another service's upload in a shared bucket is never touched.
     */
    default boolean marksItsWrites() {
        return false;
    }

    /** The image ids whose writes into this store were started and never committed nor aborted (a crash). */
    default java.util.List<String> unfinishedWrites() throws IOException {
        return java.util.List.of();
    }

    /** An open location: either a file channel (positioned reads, sendfile) or a plain stream. */
    record StoreData(long size, FileChannel channel, InputStream stream) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
            if (stream != null) {
                stream.close();
            }
        }
    }
}
