package org.ferry.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.Task;
import org.ferry.json.Jackson;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a {@code location_import} task was asked to do, as its input keeps it (Glance's keys {@code image_id},
 * {@code loc_url}, {@code validation_data}; Ferry adds {@code import_req.method.name = location-import} so the shared
 * import job runner dispatches the task to its route).
 *
 * @param hashAlgo  the algorithm of the validation data, or null without validation data
 * @param hashValue the expected digest (hex), or null without validation data
 */
public record LocationJob(String imageId, String url, String hashAlgo, String hashValue) {
    public static final String TASK_TYPE = "location_import";
    /** The import_req method name that routes the task to direct:import-location-import. */
    public static final String METHOD = ImportMethod.LOCATION_IMPORT.wireName();
    private static final ObjectMapper JSON = Jackson.MAPPER;

    public boolean validated() {
        return hashValue != null;
    }

    /** The task input for a new location import. */
    public ObjectNode toInput() {
        ObjectNode input = JSON.createObjectNode();
        input.put("image_id", imageId);
        input.put("loc_url", url);
        ObjectNode vd = input.putObject("validation_data");
        if (validated()) {
            vd.put("os_hash_algo", hashAlgo);
            vd.put("os_hash_value", hashValue);
        }
        input.putObject("import_req").putObject("method").put("name", METHOD);
        return input;
    }

    public static LocationJob of(Task task) {
        try {
            JsonNode in = JSON.readTree(task.input());
            JsonNode vd = in.path("validation_data");
            return new LocationJob(task.imageId(), in.path("loc_url").asText(),
                    vd.hasNonNull("os_hash_algo") ? vd.get("os_hash_algo").asText() : null,
                    vd.hasNonNull("os_hash_value") ? vd.get("os_hash_value").asText() : null);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + task.id() + " has unreadable input", e);
        }
    }

    public static boolean isLocationTask(Task task) {
        return TASK_TYPE.equals(task.type());
    }
}
