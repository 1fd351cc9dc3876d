package org.ferry.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.app.FerryConfig;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.ImageStatus;
import org.ferry.catalog.Location;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.data.Digests;
import org.ferry.data.ImageDataApi;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Copies an active image's data from a store that holds it into further stores, as a task visible in the image's
 * tasks and with copy-image's bookkeeping. Used after an upload with x-openstack-base-image-ref. Each copy is
 * hashed while it is written and must match the image's checksum and os_hash_value before its location is added.
 */
public final class StoreCopyTask implements ImageDataApi.StoreCopier {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCopyTask.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ImageRepository images;
    private final TaskRepository tasks;
    private final StoreRegistry stores;
    private final DataMover mover;
    private final FerryConfig config;
    private final Consumer<String> launcher;

    /** @param launcher runs {@link #run(String)} for a task id in the background (the Camel route) */
    public StoreCopyTask(ImageRepository images, TaskRepository tasks, StoreRegistry stores, DataMover mover,
                         FerryConfig config, Consumer<String> launcher) {
        this.images = images;
        this.tasks = tasks;
        this.stores = stores;
        this.mover = mover;
        this.config = config;
        this.launcher = launcher;
    }

    @Override
    public void copy(RequestContext ctx, String imageId, List<String> storeIds) {
        String taskId = UUID.randomUUID().toString();
        ObjectNode input = JSON.createObjectNode();
        input.put("image_id", imageId);
        ObjectNode req = input.putObject("import_req");
        req.putObject("method").put("name", "copy-image");
        storeIds.forEach(req.putArray("stores")::add);
        req.put("all_stores_must_succeed", false);
        storeIds.forEach(input.putArray("backend")::add);
        var now = ImageRepository.now();
        tasks.create(new Task(taskId, "api_image_import", Task.PENDING, ctx.projectId(), imageId, ctx.requestId(),
                ctx.userId(), input.toString(), null, "", null, now, now));
        if (!images.setPropertyIfAbsent(imageId, StoreLists.LOCK, taskId)) {
            fail(taskId, imageId, storeIds, "Image has active task: the copy to " + storeIds + " was not started");
            return;
        }
        Optional<Image> img = images.find(imageId);
        if (img.isEmpty()) {
            tasks.finish(taskId, Task.FAILURE, null, "image " + imageId + " was deleted", expiry());
            return;
        }
        Image i = img.get();
        StoreLists.add(i, StoreLists.IMPORTING, storeIds);
        StoreLists.remove(i, StoreLists.FAILED, storeIds);
        images.save(i, null);
        launcher.accept(taskId);
    }

    /** The task body, run by the route. */
    public void run(String taskId) {
        Task task = tasks.find(taskId).orElseThrow();
        MDC.put("request_id", task.requestId());
        try {
            List<String> targets = new ArrayList<>();
            JSON.readTree(task.input()).path("backend").forEach(n -> targets.add(n.asText()));
            tasks.moveStatus(taskId, Task.PENDING, Task.PROCESSING);
            List<String> failed = new ArrayList<>();
            for (String storeId : targets) {
                String error = copyOne(task, storeId);
                Image img = images.find(task.imageId()).orElse(null);
                if (img == null) {
                    tasks.finish(taskId, Task.FAILURE, null, "image " + task.imageId() + " was deleted during the copy", expiry());
                    return;
                }
                StoreLists.remove(img, StoreLists.IMPORTING, List.of(storeId));
                if (error != null) {
                    failed.add(storeId + ": " + error);
                    StoreLists.add(img, StoreLists.FAILED, List.of(storeId));
                }
                images.save(img, null);
            }
            if (failed.isEmpty()) {
                tasks.finish(taskId, Task.SUCCESS, "{\"image_id\": \"" + task.imageId() + "\"}", task.message(), expiry());
            } else {
                tasks.finish(taskId, Task.FAILURE, null, "copy failed for " + String.join("; ", failed), expiry());
            }
        } catch (Exception e) {
            LOG.error("copy task {} failed", taskId, e);
            tasks.finish(taskId, Task.FAILURE, null, "copy task failed: " + e, expiry());
        } finally {
            images.deletePropertyIfValue(task.imageId(), StoreLists.LOCK, taskId);
            MDC.remove("request_id");
        }
    }

    /** @return null on success, else what went wrong */
    private String copyOne(Task task, String storeId) {
        Image img = images.find(task.imageId()).orElse(null);
        if (img == null || !ImageStatus.ACTIVE.equals(img.status)) {
            return "the image is not active";
        }
        Optional<Store> target = stores.get(storeId).filter(Store::writable);
        if (target.isEmpty()) {
            return "store " + storeId + " is not a writable store";
        }
        if (img.storeIds().contains(storeId)) {
            return null;
        }
        for (Location source : img.locations) {
            Optional<Store> from = stores.forLocation(source.storeId(), source.url());
            if (!source.isActive() || from.isEmpty()) {
                continue;
            }
            try (Store.StoreData data = from.get().open(source.url());
                 StoreWrite write = target.get().beginWrite(img.id)) {
                var in = data.channel() != null ? java.nio.channels.Channels.newInputStream(data.channel()) : data.stream();
                Digests d = mover.move(in, List.of(write.channel()), FerryConfig.javaDigestName(config.hashingAlgorithm())
                                .orElseThrow(), config.hashingAlgorithm(), new DataMover.Limits(Long.MAX_VALUE, img.size),
                        total -> { });
                if (!d.md5().equals(img.checksum) || img.osHashValue != null && !d.hash().equals(img.osHashValue)) {
                    return "the copy read from store " + from.get().id() + " does not match the image's checksum";
                }
                String url = write.commit();
                images.addLocation(img.id, url, Map.of("store", storeId), storeId, Location.ACTIVE);
                tasks.updateMessage(task.id(), "Copied " + (d.size() >> 20) + " MiB");
                LOG.info("image {}: copied {} bytes from store {} to store {}", img.id, d.size(), from.get().id(), storeId);
                return null;
            } catch (Exception e) {
                LOG.warn("image {}: copy from {} to {} failed: {}", img.id, source.url(), storeId, e.toString());
                return e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        return "no readable location to copy from";
    }

    private void fail(String taskId, String imageId, List<String> storeIds, String message) {
        images.find(imageId).ifPresent(img -> {
            StoreLists.add(img, StoreLists.FAILED, storeIds);
            images.save(img, null);
        });
        tasks.finish(taskId, Task.FAILURE, null, message, expiry());
    }

    private java.time.Instant expiry() {
        return ImageRepository.now().plus(Duration.ofHours(config.taskTimeToLiveHours()));
    }
}
