package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.ferry.http.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * An operator's schema-image.json is checked with all of JSON Schema (Draft 4, as Glance's validator), not only the
 * keywords Glance's own image schema uses, and failures read as Glance's.
 */
class SchemasTest {
    @TempDir
    static Path dir;
    static Schemas schemas;

    @BeforeAll
    static void load() throws IOException {
        Path custom = dir.resolve("schema-image.json");
        Files.writeString(custom, """
                {
                  "kernel_id": {"type": ["null", "string"], "pattern": "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"},
                  "x_boot_kernel": {"$ref": "#/properties/kernel_id"},
                  "x_cores": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["auto"]}]},
                  "x_built_at": {"type": "string", "format": "date-time"},
                  "x_contact": {"type": "string", "format": "email"},
                  "x_boot": {"type": "object", "required": ["mode"]}
                }
                """);
        schemas = new Schemas(List.of("raw", "qcow2"), List.of("bare"), Optional.of(custom));
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String check(String name, String json) {
        return schemas.validateImageValue(name, parse(json));
    }

    @Test
    void aRefIsFollowed() {
        assertNull(check("x_boot_kernel", "\"8c1c4a3e-0000-4000-8000-000000000001\""));
        assertNull(check("x_boot_kernel", "null"));
        assertEquals("'vmlinuz' does not match '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$'",
                check("x_boot_kernel", "\"vmlinuz\""));
        assertEquals("4 is not of type 'null', 'string'", check("x_boot_kernel", "4"));
    }

    @Test
    void oneOfNeedsExactlyOneAlternative() {
        assertNull(check("x_cores", "4"));
        assertNull(check("x_cores", "\"auto\""));
        assertEquals("'many' is not valid under any of the given schemas", check("x_cores", "\"many\""));
        assertEquals("0 is not valid under any of the given schemas", check("x_cores", "0"));
    }

    @Test
    void formatsAreChecked() {
        assertNull(check("x_built_at", "\"2025-01-01T00:00:00Z\""));
        assertEquals("'yesterday' is not a 'date-time'", check("x_built_at", "\"yesterday\""));
        assertNull(check("x_contact", "\"ops@example.org\""));
        assertEquals("'ops' is not a 'email'", check("x_contact", "\"ops\""));
    }

    @Test
    void requiredPropertiesAreChecked() {
        assertNull(check("x_boot", "{\"mode\": \"uefi\"}"));
        assertEquals("'mode' is a required property", check("x_boot", "{\"secure\": true}"));
    }

    /** The wording of Glance's own image schema's failures, as the API tests assert it in part. */
    @Test
    void glancesWordingStays() {
        assertEquals("'floppy' is not one of [None, 'raw', 'qcow2']", check("disk_format", "\"floppy\""));
        assertEquals("'big' is not of type 'integer'", check("min_ram", "\"big\""));
        assertEquals("-1 is less than the minimum of 0", check("min_disk", "-1"));
        assertEquals("2147483648 is greater than the maximum of 2147483647", check("min_disk", "2147483648"));
        assertEquals("'" + "n".repeat(256) + "' is too long", check("name", "\"" + "n".repeat(256) + "\""));
        assertEquals("1 is not of type 'string'", check("tags", "[\"a\", 1]"));
        assertEquals("'yes' is not of type 'boolean'", check("protected", "\"yes\""));
        assertEquals("True is not of type 'string'", check("x_untyped", "true"));
        assertNull(check("x_untyped", "\"anything\""));
        assertEquals("'url' is a required property", check("locations", "[{\"metadata\": {}}]"));
        assertEquals("Additional properties are not allowed ('size' was unexpected)", check("locations",
                "[{\"url\": \"http://a/b\", \"metadata\": {}, \"validation_data\": {\"os_hash_algo\": \"sha512\", "
                        + "\"os_hash_value\": \"ab\", \"size\": 1}}]"));
        // beyond a double (Jackson reads infinity): a number above every bound, as Python's inf
        assertEquals("1E+400 is not of type 'integer'", check("min_disk", "1e400"));
        assertEquals("1E+400 is not of type 'null', 'string'", check("disk_format", "1e400"));
        assertEquals("1E+400 is not of type 'string'", check("tags", "[\"a\", 1e400]"));
        JsonNode task = parse("{\"type\": \"import\", \"input\": {}, \"color\": \"blue\"}");
        assertEquals("Additional properties are not allowed ('color' was unexpected)", schemas.validateTask(task));
        assertEquals("'x' is not of type 'null', 'object'",
                schemas.validateTask(parse("{\"type\": \"import\", \"input\": \"x\"}")));
    }
}
