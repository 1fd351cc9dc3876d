package org.ferry.store.swift;

import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The container calls of a swift store: make one when swift_store_create_container_on_put says so, delete, ACLs. */
final class SwiftContainers {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftContainers.class);

    private final String storeId;
    private final boolean createOnPut;
    private final boolean remember;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /**
     * @param remember whether a container found once is taken to exist from then on (the single-tenant store's
     *                 containers; not the multi-tenant store's, one per image)
     */
    SwiftContainers(String storeId, boolean createOnPut, boolean remember) {
        this.storeId = storeId;
        this.createOnPut = createOnPut;
        this.remember = remember;
    }

    /**
     * The container exists, or is created when swift_store_create_container_on_put says so (Glance's message).
     *
     * @return whether it was created now
     */
    boolean ensure(SwiftAccount account, String container) throws IOException {
        String key = account + "|" + container;
        if (known.contains(key)) {
            return false;
        }
        boolean missing;
        try (Response r = account.send(new Request.Builder().url(account.url(container)).head())) {
            missing = r.code() == 404;
            if (!missing && r.code() / 100 != 2) {
                throw SwiftStore.answered("looking for container " + container, r);
            }
        }
        if (missing) {
            if (!createOnPut) {
                throw new IOException("The container " + container + " does not exist in Swift. Please set the "
                        + "swift_store_create_container_on_put option to add container to Swift automatically.");
            }
            try (Response r = account.send(new Request.Builder().url(account.url(container))
                    .put(RequestBody.create(new byte[0])))) {
                if (r.code() / 100 != 2) {
                    throw SwiftStore.answered("Failed to add container to Swift: creating " + container, r);
                }
                LOG.info("store {}: created container {}", storeId, container);
            }
        }
        if (remember) {
            known.add(key);
        }
        return missing;
    }

    /** Removes an (empty) container; one already gone is fine. */
    void delete(SwiftAccount account, String container) throws IOException {
        try (Response r = account.send(new Request.Builder().url(account.url(container)).delete())) {
            if (r.code() != 404 && r.code() / 100 != 2) {
                throw SwiftStore.answered("deleting container " + container, r);
            }
        }
        known.remove(account + "|" + container);
    }

    /** Sets a container's {@code X-Container-Read} and {@code X-Container-Write} (an empty list clears one). */
    void setAcls(SwiftAccount account, String container, List<String> read, List<String> write) throws IOException {
        try (Response r = account.send(new Request.Builder().url(account.url(container))
                .header("X-Container-Read", String.join(",", read)).header("X-Container-Write", String.join(",", write))
                .post(RequestBody.create(new byte[0])))) {
            if (r.code() == 404) {
                throw new FileNotFoundException("Swift could not find image at URI.");
            }
            if (r.code() / 100 != 2) {
                throw SwiftStore.answered("setting the ACLs of container " + container, r);
            }
        }
    }
}
