package org.ferry.store;

import java.io.IOException;

/**
 * A location's data cannot be deleted because something still uses it (an rbd snapshot with clones: a volume or a
 * server booted from the image). Nothing was deleted; the API answers 409 as Glance does.
 */
public final class StoreInUseException extends IOException {
    public StoreInUseException(String message) {
        super(message);
    }
}
