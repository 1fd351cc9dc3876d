package org.ferry.api;

import org.ferry.catalog.Refused;
import org.ferry.http.Json;
import org.ferry.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.Task;
import org.ferry.flow.ImportService;
import org.ferry.remote.UriFilter;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * The body of POST /v2/tasks, checked in Glance's order (required keys, the task schema, the type, then the
 * {@code import_from} URI: scheme and [import_filtering_opts], the SSRF fix of Glance's legacy import), and the
 * image the task imports into, built as POST /v2/images would build it from {@code image_properties}.
 */
final class LegacyImportTask {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyImportTask.class);

    private final ImageCreate imageCreate;
    private final Schemas schemas;
    private final StoreRegistry stores;
    private final ImportService imports;
    private final UriFilter filter;

    LegacyImportTask(ImageCreate imageCreate, Schemas schemas, StoreRegistry stores, ImportService imports,
                     UriFilter filter) {
        this.imageCreate = imageCreate;
        this.schemas = schemas;
        this.stores = stores;
        this.imports = imports;
        this.filter = filter;
    }

    Task start(RequestContext ctx, JsonNode body) throws Refused {
        for (String key : List.of("type", "input")) {
            if (!body.isObject() || !body.has(key)) {
                throw ApiException.badRequest("Task '" + key + "' is required");
            }
        }
        String invalid = schemas.validateTask(body);
        if (invalid != null) {
            throw ApiException.badRequest(Schemas.notMatching("task", invalid));
        }
        String type = body.get("type").asText();
        if (!type.equals("import")) {
            // api_image_import and location_import tasks belong to the image import and locations APIs, which
            // check the image's status, lock and policy first; a bare task of those types would skip all of that
            throw ApiException.badRequest("Task type " + type + " is run by the image import and location APIs "
                    + "and cannot be created through /v2/tasks; the tasks API creates 'import' tasks only.");
        }
        JsonNode input = body.get("input").isNull() ? Json.object() : body.get("input");
        String uri = importFrom(input.get("import_from"));
        for (String key : List.of("import_from_format", "image_properties")) {
            if (!input.has(key)) {
                throw ApiException.badRequest("Input does not contain '" + key + "' field");
            }
        }
        JsonNode props = input.get("image_properties");
        if (!props.isObject()) {
            throw ApiException.badRequest("Input field 'image_properties' must be an object of image properties, not "
                    + Schemas.describe(props));
        }
        ObjectNode properties = ((ObjectNode) props).deepCopy();
        if (properties.isEmpty()) {
            // Glance's defaults for an import that names no property at all
            properties.put("disk_format", "qcow2");
            properties.put("container_format", "bare");
        }
        Image img = imageCreate.build(ctx, properties);
        for (String format : List.of("container_format", "disk_format")) {
            if ((format.equals("disk_format") ? img.diskFormat : img.containerFormat) == null) {
                throw ApiException.badRequest("'" + format + "' needs to be set in image_properties before import");
            }
        }
        return imports.startTaskImport(ctx, img, input, stores.defaultStore().id(), stores.multistore());
    }

    /** Glance's checks of {@code import_from}, with its texts; the filter resolves the host, as Glance does here. */
    private String importFrom(JsonNode value) {
        if (value == null || value.isNull() || !value.isTextual() || value.asText().isEmpty()) {
            throw ApiException.badRequest("Invalid location: " + (value == null ? "None" : value.isTextual()
                    ? value.asText() : Schemas.describe(value)));
        }
        String uri = value.asText();
        if (uri.startsWith("file:///") || uri.startsWith("filesystem:///")) {
            throw ApiException.badRequest("File based imports are not allowed. Please use a non-local source of "
                    + "image data.");
        }
        if (!uri.startsWith("http://") && !uri.startsWith("https://")) {
            throw ApiException.badRequest("The given uri is not valid. Please specify a valid uri from the following "
                    + "list of supported uri ['http']");
        }
        Optional<String> refused = filter.check(uri);
        if (refused.isPresent()) {
            LOG.info("legacy import task refused {}: {}", uri, refused.get());
            throw ApiException.badRequest("URI for legacy import task does not pass filtering: " + uri);
        }
        return uri;
    }
}
