package org.ferry.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Refused;
import org.ferry.json.Jackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * After an upload with x-openstack-base-image-ref: the copies to the base image's other stores run as an internal
 * copy-image import (same route, same bookkeeping, visible in the image's tasks, durable like any import).
 */
public final class BaseImageCopies {
    private static final Logger LOG = LoggerFactory.getLogger(BaseImageCopies.class);
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private final ImageRepository images;
    private final ImportService imports;

    public BaseImageCopies(ImageRepository images, ImportService imports) {
        this.images = images;
        this.imports = imports;
    }

    public void copy(RequestContext ctx, String imageId, List<String> storeIds) {
        ObjectNode req = JSON.createObjectNode();
        req.putObject("method").put("name", ImportMethod.COPY_IMAGE.wireName());
        storeIds.forEach(req.putArray("stores")::add);
        req.put("all_stores_must_succeed", false);
        images.find(imageId).ifPresent(img -> {
            try {
                imports.start(ctx, img, req, storeIds, true);
            } catch (Refused e) {
                LOG.warn("image {}: copies to {} not started: {}", imageId, storeIds, e.getMessage());
            }
        });
    }
}
