package org.ferry.api;

import org.ferry.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The JSON schemas Glance publishes under /v2/schemas, and validation of image values against the image schema
 * (core properties plus the operator's typed extra properties from schema-image.json; other extra values are strings)
 * and of task requests, by a JSON-Schema validator (networknt), with Glance's messages.
 */
public final class Schemas {
    /** Glance checks {@code format} (its validator has a format checker); networknt's Draft 4 dialect does not. */
    private static final Consumer<ExecutionContext> FORMATS =
            ctx -> ctx.executionConfig(config -> config.formatAssertionsEnabled(true));

    private static final BigDecimal BEYOND_DOUBLE = new BigDecimal("1E+400");

    private final ObjectNode imageProperties;
    private final Map<String, ObjectNode> documents;
    private final Schema image;
    private final Schema taskRequest;

    public Schemas(List<String> diskFormats, List<String> containerFormats, Optional<Path> customImageSchema) {
        ObjectNode props = (ObjectNode) readResource("schemas/image-base.json");
        setEnum(props, "disk_format", diskFormats);
        setEnum(props, "container_format", containerFormats);
        if (customImageSchema.isPresent() && Files.exists(customImageSchema.get())) {
            try {
                JsonNode custom = Json.MAPPER.readTree(customImageSchema.get().toFile());
                custom.fields().forEachRemaining(e -> props.set(e.getKey(), e.getValue()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + customImageSchema.get(), e);
            }
        }
        this.imageProperties = props;
        ObjectNode image = imageSchema();
        this.documents = Map.of(
                "image", image,
                "images", listSchema("images", "images", image, true),
                "member", memberSchema(),
                "members", listSchema("members", "members", memberSchema(), false),
                "task", taskSchema(),
                "tasks", taskListSchema());
        // Draft 4, the draft of Glance's jsonschema validator, told of the keywords Glance's schemas carry for clients
        Dialect dialect = Dialect.builder(Dialects.getDraft4()).keyword(new NonValidationKeyword("name"))
                .keyword(new NonValidationKeyword("links")).keyword(new NonValidationKeyword("readOnly")).build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect);
        this.image = compile(registry, "image", image);
        ObjectNode task = taskSchema();
        task.put("additionalProperties", false);
        this.taskRequest = compile(registry, "task", task);
    }

    /** Compiled now, so an operator's schema that cannot be used (a $ref to nowhere) stops Ferry at start. */
    private static Schema compile(SchemaRegistry registry, String name, ObjectNode document) {
        Schema s = registry.getSchema(SchemaLocation.of("urn:ferry:schemas:" + name), document);
        s.initializeValidators();
        return s;
    }

    public Optional<ObjectNode> document(String name) {
        return Optional.ofNullable(documents.get(name));
    }

    /** True if the image schema knows the name (a core attribute or a typed extra property). */
    public boolean isTyped(String name) {
        return imageProperties.has(name);
    }

    public boolean isReadOnly(String name) {
        JsonNode p = imageProperties.get(name);
        return p != null && p.path("readOnly").asBoolean(false);
    }

    /** Validates one image attribute value; null when fine, else jsonschema-style text. */
    public String validateImageValue(String name, JsonNode value) {
        // as a one-attribute image, so the operator's $ref resolve within the image schema, as in Glance
        return SchemaMessages.best(image.validate(Json.object().set(name, finite(value)), FORMATS));
    }

    /** Validates a POST /v2/tasks body as Glance does: the task schema with no other properties allowed. */
    public String validateTask(JsonNode body) {
        return SchemaMessages.best(taskRequest.validate(finite(body), FORMATS));
    }

    /**
     * Jackson reads a number beyond a double's range (1e400) as infinity, which networknt cannot compare (its enum
     * check throws); Python reads it as inf, a number above every bound. A copy with such numbers as large decimals
     * is checked the same way.
     */
    static JsonNode finite(JsonNode v) {
        if (v.isDouble() && !Double.isFinite(v.doubleValue())) {
            return DecimalNode.valueOf(v.doubleValue() > 0 ? BEYOND_DOUBLE : BEYOND_DOUBLE.negate());
        }
        if (!v.isContainerNode() || !hasInfinity(v)) {
            return v;
        }
        if (v.isArray()) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            v.forEach(item -> copy.add(finite(item)));
            return copy;
        }
        ObjectNode copy = Json.object();
        v.fields().forEachRemaining(e -> copy.set(e.getKey(), finite(e.getValue())));
        return copy;
    }

    private static boolean hasInfinity(JsonNode v) {
        if (v.isDouble()) {
            return !Double.isFinite(v.doubleValue());
        }
        for (JsonNode child : v) {
            if (hasInfinity(child)) {
                return true;
            }
        }
        return false;
    }

    public static String notMatching(String schema, String detail) {
        return "Provided object does not match schema '" + schema + "': " + detail;
    }

    /** A value the way Python's repr shows it, which is how jsonschema messages quote values. */
    static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.asText() + "'";
        }
        if (v.isNull()) {
            return "None";
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        return v.toString();
    }

    private static void setEnum(ObjectNode props, String name, List<String> values) {
        ArrayNode en = Json.MAPPER.createArrayNode();
        en.addNull();
        values.forEach(en::add);
        ((ObjectNode) props.get(name)).set("enum", en);
    }

    private ObjectNode imageSchema() {
        ObjectNode s = Json.object();
        s.put("name", "image");
        s.set("properties", imageProperties.deepCopy());
        s.putObject("additionalProperties").put("type", "string");
        ArrayNode links = s.putArray("links");
        links.addObject().put("rel", "self").put("href", "{self}");
        links.addObject().put("rel", "enclosure").put("href", "{file}");
        links.addObject().put("rel", "describedby").put("href", "{schema}");
        return s;
    }

    private static ObjectNode listSchema(String name, String key, ObjectNode item, boolean paged) {
        ObjectNode s = Json.object();
        s.put("name", name);
        ObjectNode props = s.putObject("properties");
        ObjectNode arr = props.putObject(key);
        arr.put("type", "array");
        arr.set("items", item);
        props.putObject("schema").put("type", "string");
        ArrayNode links = s.putArray("links");
        if (paged) {
            props.putObject("first").put("type", "string");
            props.putObject("next").put("type", "string");
            links.addObject().put("rel", "first").put("href", "{first}");
            links.addObject().put("rel", "next").put("href", "{next}");
        }
        links.addObject().put("rel", "describedby").put("href", "{schema}");
        return s;
    }

    private static ObjectNode memberSchema() {
        ObjectNode s = Json.object();
        s.put("name", "member");
        ObjectNode p = s.putObject("properties");
        p.putObject("member_id").put("type", "string").put("description", "Project that the image is shared with");
        p.putObject("image_id").put("type", "string").put("description", "Image id")
                .put("pattern", "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$");
        p.putObject("status").put("type", "string").put("description", "Whether the member accepted the image")
                .putArray("enum").add("pending").add("accepted").add("rejected");
        p.putObject("created_at").put("type", "string").put("description", "When the membership was created");
        p.putObject("updated_at").put("type", "string").put("description", "When the membership last changed");
        p.putObject("schema").put("type", "string").put("readOnly", true);
        return s;
    }

    /**
     * Glance's task schema as /v2/schemas/task publishes it (no additionalProperties: that is added only when a
     * POST /v2/tasks body is validated); glanceclient builds its task model from it.
     */
    private static ObjectNode taskSchema() {
        ObjectNode s = Json.object();
        s.put("name", "task");
        ObjectNode p = s.putObject("properties");
        p.putObject("id").put("type", "string").put("description", "Task id (UUID)")
                .put("pattern", "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$");
        p.putObject("type").put("type", "string").put("description", "Kind of task")
                .putArray("enum").add("import").add("api_image_import").add("location_import");
        p.putObject("status").put("type", "string").put("description", "Where the task is in its life cycle")
                .putArray("enum").add("pending").add("processing").add("success").add("failure");
        ObjectNode input = p.putObject("input").put("description", "What the task was asked to do (JSON object)");
        input.putArray("type").add("null").add("object");
        ObjectNode result = p.putObject("result").put("description", "What the task produced (JSON object)");
        result.putArray("type").add("null").add("object");
        p.putObject("owner").put("type", "string").put("description", "Project that owns the task");
        p.putObject("message").put("type", "string").put("description", "Progress, or why the task failed");
        p.putObject("image_id").put("type", "string").put("description", "Image the task works on");
        p.putObject("request_id").put("type", "string").put("description", "Request id of the call that created it");
        p.putObject("user_id").put("type", "string").put("description", "User that created the task");
        ObjectNode expires = p.putObject("expires_at").put("description", "When the finished task will be removed");
        expires.putArray("type").add("null").add("string");
        p.putObject("created_at").put("type", "string").put("description", "When the task was created");
        p.putObject("updated_at").put("type", "string").put("description", "When the task last changed");
        p.putObject("self").put("readOnly", true).put("type", "string");
        p.putObject("schema").put("readOnly", true).put("type", "string");
        return s;
    }

    /**
     * /v2/schemas/tasks: Glance's minimal collection form, whose items are the task without input, result and
     * message (what GET /v2/tasks lists), and no first/next properties.
     */
    private static ObjectNode taskListSchema() {
        ObjectNode item = taskSchema();
        ((ObjectNode) item.get("properties")).remove(List.of("input", "result", "message"));
        ObjectNode s = Json.object();
        s.put("name", "tasks");
        ObjectNode props = s.putObject("properties");
        props.putObject("tasks").put("type", "array").set("items", item);
        props.putObject("schema").put("type", "string");
        s.putArray("links").addObject().put("rel", "describedby").put("href", "{schema}");
        return s;
    }

    private static JsonNode readResource(String name) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(name)) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
