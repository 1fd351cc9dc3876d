package org.ferry.flow;

import java.util.List;

/**
 * The stores {@link CommitToStores} wrote the image to, and the locations it added, which its revert removes.
 *
 * @param stores    the store ids that hold the data now, in the order they finished
 * @param locations the ids of the location rows added
 * @param failed    the store ids that failed (only when all_stores_must_succeed is false; else the step fails)
 */
public record CommittedStores(List<String> stores, List<Long> locations, List<String> failed) {
    public CommittedStores {
        stores = List.copyOf(stores);
        locations = List.copyOf(locations);
        failed = List.copyOf(failed);
    }
}
