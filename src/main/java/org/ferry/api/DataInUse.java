package org.ferry.api;

import org.ferry.http.ApiException;
import org.ferry.store.Store;
import org.ferry.store.StoreErrors;
import org.ferry.store.StoreInUseException;
import org.ferry.store.StoreRegistry;

import java.io.IOException;
import java.util.function.Function;

/**
 * Asks a store, before anything is changed, whether a location's data may be deleted: 409 while something outside
 * Ferry uses it (an rbd image with clones, as Glance's InUseByStore), 503 when the store cannot be asked.
 */
final class DataInUse {
    private DataInUse() {
    }

    /**
     * @param conflict the 409's text, given the store's reason
     * @param action   what was refused, for the 503's text (e.g. "delete image X")
     */
    static void refuse(StoreRegistry stores, Store store, String url, Function<String, String> conflict,
                       String action) {
        try {
            store.checkDeletable(url);
        } catch (StoreInUseException e) {
            throw ApiException.conflict(conflict.apply(e.getMessage()));
        } catch (IOException e) {
            stores.errors().record(store.id(), StoreErrors.DELETE);
            throw new ApiException(503, "Store " + store.id() + " cannot be reached to " + action
                    + "; nothing was changed: " + e.getMessage());
        }
    }
}
