package org.ferry.flow;

import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.GlanceImage;
import org.ferry.remote.SafeHttp;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * glance-download step 2: finds the remote region's image endpoint in the caller's catalog, reads the remote image
 * with the caller's token, requires it active, copies the configured property prefixes and the formats, and keeps
 * the remote size and digests for verifying the download.
 */
public final class FetchRemoteMetadata extends FlowStep<RemoteImage> {
    private final ImportLock lock;
    private final SafeHttp http;
    private final List<String> prefixes;
    private final String hashAlgo;
    private final long sizeCap;

    public FetchRemoteMetadata(ImageRepository images, SafeHttp http, List<String> prefixes, String hashAlgo,
                               long sizeCap) {
        this.lock = new ImportLock(images);
        this.http = http;
        this.prefixes = prefixes;
        this.hashAlgo = hashAlgo;
        this.sizeCap = sizeCap;
    }

    @Override
    protected RemoteImage execute(ImportState s) throws Exception {
        if (s.caller == null) {
            throw new ImportFailure("Ferry restarted during this glance-download; the caller's token is not kept "
                    + "across restarts, so the import was reverted: start it again");
        }
        ImportRequest r = s.request;
        GlanceClient remote = GlanceClient.forCaller(http, s.caller, r.glanceRegion(), r.glanceServiceInterface());
        GlanceImage image = remote.image(r.glanceImageId());
        String status = image.status() == null ? "unknown" : image.status();
        if (!ImageStatus.ACTIVE.wire().equals(status)) {
            throw new ImportFailure("remote image " + r.glanceImageId() + " in region " + r.glanceRegion() + " is "
                    + status + ", not active");
        }
        if (image.size() == null) {
            throw new ImportFailure("size of remote image " + r.glanceImageId() + " could not be determined");
        }
        long size = image.size();
        if (size > sizeCap) {
            throw new ImportFailure("remote image " + r.glanceImageId() + " has " + size
                    + " bytes, more than image_size_cap " + sizeCap);
        }
        // the download is checked against the remote hash when it uses our algorithm, else against its checksum
        boolean sameHash = hashAlgo.equals(image.hashAlgo()) && image.hashValue() != null;
        String expectedHash = sameHash ? image.hashValue() : null;
        String expectedMd5 = sameHash ? null : image.checksum();
        // filled in by the change, from the image as loaded under the lock: what the revert puts back
        RemoteImage[] result = new RemoteImage[1];
        lock.update(s, ImageStatus.IMPORTING, "is no longer importing", img -> {
            result[0] = new RemoteImage(size, expectedMd5, expectedHash, img.properties, img.diskFormat,
                    img.containerFormat);
            image.properties().forEach((key, value) -> {
                if (prefixes.stream().anyMatch(key::startsWith)) {
                    img.properties.put(key, value);
                }
            });
            if (image.diskFormat() != null) {
                img.diskFormat = image.diskFormat();
            }
            if (image.containerFormat() != null) {
                img.containerFormat = image.containerFormat();
            }
        });
        return result[0];
    }

    @Override
    protected void revert(ImportState s, RemoteImage result) {
        if (result == null) {
            return;
        }
        // not when the image is gone or another task took its lock over: that task's work must stay
        lock.whileLocked(s).ifPresent(img -> {
            // keep the bookkeeping keys as they are now; restore everything the copy touched
            Map<String, String> keep = new TreeMap<>();
            for (String k : List.of(StoreLists.IMPORTING, StoreLists.FAILED)) {
                if (img.properties.containsKey(k)) {
                    keep.put(k, img.properties.get(k));
                }
            }
            img.properties.clear();
            img.properties.putAll(result.propertiesBefore());
            img.properties.putAll(keep);
            img.diskFormat = result.diskFormatBefore();
            img.containerFormat = result.containerFormatBefore();
            lock.saveQuietly(s, img, null);
        });
    }
}
