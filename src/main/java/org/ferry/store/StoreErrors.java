package org.ferry.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often each store failed a write, read or delete (an I/O error, not a refused request). Counted here, where
 * every caller of a store can reach it through the registry; metrics read the counts.
 */
public final class StoreErrors {
    public static final String WRITE = "write";
    public static final String READ = "read";
    public static final String DELETE = "delete";
    public static final List<String> OPERATIONS = List.of(WRITE, READ, DELETE);

    /** Keyed by store id, then operation; the stores known at start-up are present from the beginning. */
    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();

    public StoreErrors(List<String> storeIds) {
        storeIds.forEach(this::forStore);
    }

    public void record(String storeId, String operation) {
        LongAdder n = forStore(storeId).get(operation);
        if (n == null) {
            throw new IllegalArgumentException("unknown store operation " + operation);
        }
        n.increment();
    }

    /** The counter of one store and operation (created for a store not known at start-up). */
    public LongAdder counter(String storeId, String operation) {
        return forStore(storeId).get(operation);
    }

    public List<String> storeIds() {
        return List.copyOf(counts.keySet());
    }

    private Map<String, LongAdder> forStore(String storeId) {
        return counts.computeIfAbsent(storeId, id -> {
            Map<String, LongAdder> ops = new ConcurrentHashMap<>();
            OPERATIONS.forEach(op -> ops.put(op, new LongAdder()));
            return ops;
        });
    }
}
