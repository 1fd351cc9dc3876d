package org.ferry.flow;

import org.ferry.auth.RequestContext;
import org.ferry.store.LocationUrls;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Locale;

/**
 * Reads a location's data once through its store and computes md5 and the requested algorithm in the same pass
 * (glance location_import {@code _CalculateHash}). A read error restarts the read, up to {@code http_retries}
 * attempts. While it reads, the task message shows the progress (which also keeps the import lock fresh) and the
 * image is checked about once a second: deleting it cancels the work.
 */
public final class LocationHasher {
    private static final Logger LOG = LoggerFactory.getLogger(LocationHasher.class);
    private static final long CHECK_NANOS = 1_000_000_000L;
    private static final long REPORT_NANOS = 5_000_000_000L;

    /** The image went away while its data was being read. */
    static final class Canceled extends RuntimeException {
        Canceled(String message) {
            super(message);
        }
    }

    private final DataMover mover;
    private final ImageRepository images;
    private final TaskRepository tasks;
    private final int attempts;

    public LocationHasher(DataMover mover, ImageRepository images, TaskRepository tasks, int httpRetries) {
        this.mover = mover;
        this.images = images;
        this.tasks = tasks;
        this.attempts = Math.max(1, httpRetries);
    }

    /**
     * @param hashlibName the algorithm as Glance names it (sha512, sha256, sha1, md5)
     * @throws ImportFailure when every attempt failed, or the image was deleted (canceled)
     */
    Digests hash(String taskId, String imageId, Store store, String url, String hashlibName, RequestContext caller)
            throws ImportFailure {
        String javaName = org.ferry.data.HashAlgorithms.javaName(hashlibName)
                .orElseThrow(() -> new ImportFailure("hash algorithm " + hashlibName + " is not available"));
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try (Store.StoreData data = store.open(url, caller);
                 InputStream in = data.channel() != null ? Channels.newInputStream(data.channel()) : data.stream()) {
                Long total = data.size() >= 0 ? data.size() : null;
                return mover.move(in, List.of(), javaName, hashlibName.toLowerCase(Locale.ROOT),
                        DataMover.Limits.none(), watcher(taskId, imageId, total));
            } catch (Canceled e) {
                throw new ImportFailure("Hash calculation for image " + imageId + " has been canceled: " + e.getMessage());
            } catch (IOException e) {
                last = e;
                LOG.warn("task {}: [{}/{}] hash calculation of {} failed: {}", taskId, attempt, attempts,
                        LocationUrls.shown(url), e.toString());
            }
        }
        throw new ImportFailure("Hash calculation failed for image " + imageId + " data: "
                + (last == null ? "unknown error" : last.getMessage()), last);
    }

    private DataMover.Progress watcher(String taskId, String imageId, Long total) {
        long start = System.nanoTime();
        long[] lastCheck = {start};
        long[] lastReport = {start};
        return bytes -> {
            long now = System.nanoTime();
            if (now - lastCheck[0] >= CHECK_NANOS) {
                lastCheck[0] = now;
                if (images.find(imageId).isEmpty()) {
                    throw new Canceled("the image was deleted");
                }
            }
            if (now - lastReport[0] >= REPORT_NANOS) {
                lastReport[0] = now;
                tasks.updateMessage(taskId, "Hashed " + (bytes >> 20) + " MiB"
                        + (total == null ? "" : " of " + (total >> 20) + " MiB"));
            }
        };
    }
}
