package org.ferry.store;

import java.util.Optional;

/**
 * What every store has, whatever its driver: its id in enabled_backends and glance_store's common options.
 *
 * @param weight the store's rank when an image is read from one of several locations (higher first)
 */
public record StoreSettings(String id, Optional<String> description, int weight) {
}
