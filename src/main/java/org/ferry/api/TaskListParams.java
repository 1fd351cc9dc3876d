package org.ferry.api;

import org.ferry.http.ApiRequest;
import org.ferry.http.ApiException;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Task;
import org.ferry.catalog.TaskListQuery;
import org.ferry.catalog.TaskRepository;

import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates the query of GET /v2/tasks in Glance's order (sort_dir, status, type, marker format, limit, then the
 * marker task and the sort key) and turns it into a {@link TaskListQuery}.
 */
final class TaskListParams {
    /** What oslo's is_uuid_like accepts: hyphens optional, braces and a urn:uuid: prefix allowed. */
    static final Pattern UUID_LIKE = Pattern.compile(
            "^(urn:uuid:)?\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}}?$");
    private static final Set<String> STATUSES = Set.of(Task.PENDING, Task.PROCESSING, Task.SUCCESS, Task.FAILURE);
    /** Glance's list filter only knows the type its tasks API creates. */
    private static final Set<String> TYPES = Set.of("import");
    private static final Set<String> PAGING = Set.of("limit", "marker", "sort_key", "sort_dir");

    private final ApiSettings config;
    private final TaskRepository tasks;

    TaskListParams(ApiSettings config, TaskRepository tasks) {
        this.config = config;
        this.tasks = tasks;
    }

    TaskListQuery parse(ApiRequest req, Instant now) {
        RequestContext ctx = req.context();
        String sortDir = req.queryFirst("sort_dir").orElse("desc");
        if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
            throw ApiException.badRequest("Invalid sort direction: " + sortDir);
        }
        // the other parameters are filters; a repeated one counts with its last value, as Glance reads them
        Map<String, String> filters = new LinkedHashMap<>();
        for (var e : req.query()) {
            if (!PAGING.contains(e.getKey())) {
                filters.put(e.getKey(), e.getValue());
            }
        }
        String status = filters.get("status");
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            throw ApiException.badRequest("Invalid status value: " + status);
        }
        String type = filters.get("type");
        if (type != null && !type.isEmpty() && !TYPES.contains(type)) {
            throw ApiException.badRequest("Invalid type value: " + type);
        }
        filters.keySet().retainAll(TaskListQuery.FILTER_COLUMNS);
        String markerId = req.queryFirst("marker").orElse(null);
        if (markerId != null && !markerId.isEmpty() && !UUID_LIKE.matcher(markerId).matches()) {
            throw ApiException.badRequest("Invalid marker format");
        }
        int limit = config.limitParamDefault();
        String limitText = req.queryFirst("limit").orElse(null);
        if (limitText != null) {
            BigInteger asked;
            try {
                // any size, as Python's int(): a huge limit is capped below, not refused
                asked = new BigInteger(limitText.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit param must be an integer");
            }
            if (asked.signum() < 0) {
                throw ApiException.badRequest("limit param must be positive");
            }
            limit = asked.min(BigInteger.valueOf(config.apiLimitMax())).intValueExact();
        }
        Task marker = null;
        if (markerId != null) {
            marker = tasks.findListed(markerId, now).orElseThrow(() ->
                    ApiException.badRequest("Task with the given id " + markerId + " was not found"));
            if (!TasksApi.visible(ctx, marker)) {
                throw ApiException.forbidden("Forbidding request, task " + markerId + " is not visible");
            }
        }
        String sortKey = req.queryFirst("sort_key").orElse("created_at");
        if (!TaskListQuery.SORT_KEYS.contains(sortKey)) {
            throw ApiException.badRequest("Sort key supplied was not valid.");
        }
        return new TaskListQuery(ctx.projectId(), ctx.isAdmin(), filters, sortKey, sortDir.equals("asc"), marker,
                Math.min(limit, config.apiLimitMax()), now);
    }

    /** The query parameters of the list links: every one but the marker, each with its last value, in order. */
    static Map<String, String> linkParams(List<Map.Entry<String, String>> query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (var e : query) {
            params.put(e.getKey(), e.getValue());
        }
        params.remove("marker");
        return params;
    }
}
