package org.ferry.store.swift;

import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * A write into a container made for it (the multi-tenant store's {@code <container>_<image id>}): an abort also
 * removes the container, so a failed upload leaves nothing in the user's account.
 */
final class ContainerWrite implements StoreWrite {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerWrite.class);

    private final SwiftWrite write;
    private final SwiftContainers containers;
    private final SwiftAccount account;
    private final String container;
    private volatile boolean committed;

    ContainerWrite(SwiftWrite write, SwiftContainers containers, SwiftAccount account, String container) {
        this.write = write;
        this.containers = containers;
        this.account = account;
        this.container = container;
    }

    @Override
    public WritableByteChannel channel() {
        return write.channel();
    }

    @Override
    public String commit() throws IOException {
        String url = write.commit();
        committed = true;
        return url;
    }

    @Override
    public void abort() {
        write.abort();
        if (!committed) {
            try {
                containers.delete(account, container);
            } catch (IOException e) {
                LOG.warn("the container {} of an aborted write stays in {}: {}", container, account, e.getMessage());
            }
        }
    }
}
