package org.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;

import java.util.ArrayList;
import java.util.List;

/**
 * Words a JSON-Schema failure found by networknt's validator as Glance's does: Glance validates with python-jsonschema
 * and shows the message of its best match ({@code "'floppy' is not one of [None, 'raw']"}), which clients and tests
 * read. Of several failures the one on the shallowest value wins, and a failed {@code anyOf} or {@code oneOf} is
 * reported as a whole rather than by one of its alternatives, as jsonschema's {@code best_match} does.
 */
final class SchemaMessages {
    private SchemaMessages() {
    }

    /** The best failure's text; null when there is none. */
    static String best(List<Error> errors) {
        String best = null;
        int bestDepth = Integer.MAX_VALUE;
        boolean bestWeak = true;
        for (Error e : errors) {
            int combinator = combinatorSegment(e.getEvaluationPath());
            boolean weak = combinator >= 0 || e.getKeyword().equals("oneOf");
            String text;
            if (combinator < 0) {
                text = message(e);
            } else if (e.getEvaluationPath().getName(combinator).equals("oneOf")) {
                continue; // the oneOf failure itself is in the list too, and reported
            } else {
                // networknt lists why each anyOf alternative failed, not the anyOf itself
                text = Schemas.describe(e.getInstanceNode()) + " is not valid under any of the given schemas";
            }
            int depth = e.getInstanceLocation().getNameCount();
            if (depth < bestDepth || depth == bestDepth && bestWeak && !weak) {
                best = text;
                bestDepth = depth;
                bestWeak = weak;
            }
        }
        return best;
    }

    /** Where the first anyOf / oneOf is in the path, if the failure is inside one of its alternatives; else -1. */
    private static int combinatorSegment(NodePath evaluation) {
        for (int i = 0; i < evaluation.getNameCount() - 2; i++) {
            String name = evaluation.getName(i);
            boolean isPropertyName = i > 0 && evaluation.getName(i - 1).equals("properties");
            if ((name.equals("anyOf") || name.equals("oneOf")) && !isPropertyName) {
                return i;
            }
        }
        return -1;
    }

    /** python-jsonschema's text for one failed keyword. */
    private static String message(Error e) {
        JsonNode v = e.getInstanceNode();
        JsonNode s = e.getSchemaNode();
        String value = Schemas.describe(v);
        Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
        return switch (e.getKeyword()) {
            case "type" -> value + " is not of type " + typeText(s);
            case "enum" -> value + " is not one of " + enumText(s);
            case "maxLength", "maxItems" -> value + " is too long";
            case "minLength", "minItems" -> value + " is too short";
            case "pattern" -> value + " does not match '" + s.asText() + "'";
            case "format" -> value + " is not a '" + s.asText() + "'";
            // networknt reports a Draft 4 exclusiveMinimum/Maximum under minimum/maximum; equality shows which
            case "minimum" -> v.asText() + (v.decimalValue().compareTo(s.decimalValue()) == 0
                    ? " is less than or equal to the minimum of " : " is less than the minimum of ") + s.asText();
            case "maximum" -> v.asText() + (v.decimalValue().compareTo(s.decimalValue()) == 0
                    ? " is greater than or equal to the maximum of " : " is greater than the maximum of ") + s.asText();
            case "multipleOf" -> value + " is not a multiple of " + s.asText();
            case "required" -> "'" + e.getProperty() + "' is a required property";
            case "additionalProperties" -> "Additional properties are not allowed ('" + e.getProperty()
                    + "' was unexpected)";
            case "uniqueItems" -> value + " has non-unique elements";
            case "minProperties" -> value + " does not have enough properties";
            case "maxProperties" -> value + " has too many properties";
            case "not" -> value + " should not be valid under " + s;
            case "oneOf" -> oneOf(value, s, args);
            default -> value + ": " + e.getMessage();
        };
    }

    /** networknt's oneOf arguments: how many alternatives matched, then their indexes. */
    private static String oneOf(String value, JsonNode alternatives, Object[] args) {
        if (args.length < 2 || "0".equals(String.valueOf(args[0]))) {
            return value + " is not valid under any of the given schemas";
        }
        List<String> matched = new ArrayList<>();
        for (String index : String.valueOf(args[1]).split(",")) {
            if (!index.isBlank()) {
                matched.add(alternatives.path(Integer.parseInt(index.strip())).toString());
            }
        }
        for (int i = 2; i < args.length; i++) {
            matched.add(alternatives.path(Integer.parseInt(String.valueOf(args[i]).strip())).toString());
        }
        return value + " is valid under each of " + String.join(", ", matched);
    }

    private static String typeText(JsonNode type) {
        if (type.isArray()) {
            List<String> t = new ArrayList<>();
            type.forEach(x -> t.add("'" + x.asText() + "'"));
            return String.join(", ", t);
        }
        return "'" + type.asText() + "'";
    }

    private static String enumText(JsonNode en) {
        List<String> t = new ArrayList<>();
        en.forEach(x -> t.add(x.isNull() ? "None" : "'" + x.asText() + "'"));
        return "[" + String.join(", ", t) + "]";
    }
}
