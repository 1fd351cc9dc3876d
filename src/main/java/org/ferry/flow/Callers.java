package org.ferry.flow;

import org.ferry.auth.RequestContext;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers of running imports, in memory only: a user's token is never written to the database, so an import
 * that needs it (glance-download) cannot be resumed after a restart and is reverted instead.
 */
public final class Callers {
    private final Map<String, RequestContext> byTask = new ConcurrentHashMap<>();

    public void put(String taskId, RequestContext ctx) {
        byTask.put(taskId, ctx);
    }

    public Optional<RequestContext> get(String taskId) {
        return Optional.ofNullable(byTask.get(taskId));
    }

    public void remove(String taskId) {
        byTask.remove(taskId);
    }
}
