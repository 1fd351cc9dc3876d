package org.ferry.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.Response;
import org.ferry.catalog.ImageAttributes;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.remote.ImageEndpoints;
import org.ferry.remote.SafeHttp;
import org.ferry.json.Jackson;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * glance-download step 2: finds the remote region's image endpoint in the caller's catalog, reads the remote image
 * with the caller's token, requires it active, copies the configured property prefixes and the formats, and keeps
 * the remote size and digests for verifying the download.
 */
public final class FetchRemoteMetadata extends FlowStep {
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private final ImageRepository images;
    private final SafeHttp http;
    private final List<String> prefixes;
    private final String hashAlgo;
    private final long sizeCap;

    public FetchRemoteMetadata(ImageRepository images, SafeHttp http, List<String> prefixes, String hashAlgo,
                               long sizeCap) {
        this.images = images;
        this.http = http;
        this.prefixes = prefixes;
        this.hashAlgo = hashAlgo;
        this.sizeCap = sizeCap;
    }

    @Override
    protected void execute(ImportState s) throws Exception {
        if (s.caller == null) {
            throw new ImportFailure("Ferry restarted during this glance-download; the caller's token is not kept "
                    + "across restarts, so the import was reverted: start it again");
        }
        ImportRequest r = s.request;
        String endpoint = ImageEndpoints.resolve(s.caller.serviceCatalog(), r.glanceRegion(), r.glanceServiceInterface());
        String url = endpoint + "/v2/images/" + r.glanceImageId();
        JsonNode remote;
        try (Response resp = http.get(url, true, s.caller.authToken(), 0, "remote image " + r.glanceImageId())) {
            remote = JSON.readTree(resp.body().byteStream());
        } catch (JsonProcessingException e) {
            remote = null;
        }
        if (remote == null || !remote.isObject()) {
            throw new ImportFailure("remote image " + r.glanceImageId() + ": " + url
                    + " did not answer with an image in JSON");
        }
        String status = remote.path("status").asText("unknown");
        if (!ImageStatus.ACTIVE.wire().equals(status)) {
            throw new ImportFailure("remote image " + r.glanceImageId() + " in region " + r.glanceRegion() + " is "
                    + status + ", not active");
        }
        if (!remote.path("size").canConvertToLong()) {
            throw new ImportFailure("size of remote image " + r.glanceImageId() + " could not be determined");
        }
        long size = remote.get("size").asLong();
        if (size > sizeCap) {
            throw new ImportFailure("remote image " + r.glanceImageId() + " has " + size
                    + " bytes, more than image_size_cap " + sizeCap);
        }
        s.expectedSize = size;
        if (hashAlgo.equals(remote.path("os_hash_algo").asText(null)) && remote.hasNonNull("os_hash_value")) {
            s.expectedHash = remote.get("os_hash_value").asText();
        } else if (remote.hasNonNull("checksum")) {
            s.expectedMd5 = remote.get("checksum").asText();
        }
        Image img = images.find(s.imageId()).orElseThrow(() -> new ImportFailure("image " + s.imageId() + " was deleted"));
        s.propertiesBefore = new TreeMap<>(img.properties);
        s.diskFormatBefore = img.diskFormat;
        s.containerFormatBefore = img.containerFormat;
        Iterator<Map.Entry<String, JsonNode>> fields = remote.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            String key = f.getKey();
            if (ImageAttributes.CORE.contains(key) || key.startsWith("os_glance") || !f.getValue().isValueNode()
                    || f.getValue().isNull() || prefixes.stream().noneMatch(key::startsWith)) {
                continue;
            }
            img.properties.put(key, f.getValue().asText());
        }
        img.diskFormat = remote.path("disk_format").asText(img.diskFormat);
        img.containerFormat = remote.path("container_format").asText(img.containerFormat);
        if (!images.save(img, ImageStatus.IMPORTING)) {
            throw new ImportFailure("image " + s.imageId() + " is no longer importing");
        }
        s.staged = null;
    }

    @Override
    protected void revert(ImportState s) {
        if (s.propertiesBefore == null) {
            return;
        }
        images.find(s.imageId()).ifPresent(img -> {
            // keep the bookkeeping keys as they are now; restore everything the copy touched
            Map<String, String> keep = new TreeMap<>();
            for (String k : List.of(StoreLists.IMPORTING, StoreLists.FAILED)) {
                if (img.properties.containsKey(k)) {
                    keep.put(k, img.properties.get(k));
                }
            }
            img.properties.clear();
            img.properties.putAll(s.propertiesBefore);
            img.properties.putAll(keep);
            img.diskFormat = s.diskFormatBefore;
            img.containerFormat = s.containerFormatBefore;
            images.save(img, null);
        });
    }
}
