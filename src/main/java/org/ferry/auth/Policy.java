package org.ferry.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Named oslo.policy rules and the checks Glance's API makes against them. */
public final class Policy {

    private static final String DEFAULTS_RESOURCE = "/policy-defaults.yaml";
    private static final String FALLBACK_RULE = "default";

    // replaced whole by a reload (SIGHUP): a check reads it once, so it never sees half of two rule sets
    private volatile Map<String, PolicyRule> rules;

    private Policy(Map<String, PolicyRule> rules, String origin) {
        new CycleCheck(rules, origin).run();
        this.rules = Map.copyOf(rules);
    }

    /**
     * Takes the rules of {@code reloaded} (a policy file read again): the API keeps this instance, so checks made
     * from now on use the new rules while those under way finish with the old ones.
     */
    public void replaceRules(Policy reloaded) {
        this.rules = reloaded.rules;
    }

    /** Glance's default image policies. */
    public static Policy defaults() {
        return new Policy(defaultRules(), "default policy " + DEFAULTS_RESOURCE);
    }

    /** The defaults, with the entries of a YAML or JSON policy file (rule name to rule string) overriding them. */
    public static Policy load(Path policyFile) {
        String origin = "policy file " + policyFile;
        JsonNode document;
        try {
            document = mapperFor(policyFile).readTree(policyFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + origin + ": " + e.getMessage(), e);
        }
        Map<String, PolicyRule> rules = new HashMap<>(defaultRules());
        rules.putAll(parseRules(document, origin));
        return new Policy(rules, origin);
    }

    /** Whether the rule (or {@code default} when no rule has that name) lets the caller act on the target. */
    public boolean allows(String ruleName, RequestContext ctx, Map<String, ?> target) {
        Objects.requireNonNull(ctx, "ctx");
        Map<String, PolicyRule> current = rules;
        PolicyRule rule = current.get(ruleName);
        if (rule == null) {
            rule = current.get(FALLBACK_RULE);
        }
        if (rule == null) {
            return false;
        }
        Map<String, ?> facts = target == null ? Map.of() : target;
        return rule.test(new PolicyRule.Scope(ctx.roles(), credentials(ctx), facts,
                name -> Optional.ofNullable(current.get(name))));
    }

    public void enforce(String ruleName, RequestContext ctx, Map<String, ?> target) {
        if (!allows(ruleName, ctx, target)) {
            throw new PolicyDeniedException(ruleName);
        }
    }

    private static Map<String, Object> credentials(RequestContext ctx) {
        // HashMap: a context without a project or user leaves those credentials null.
        Map<String, Object> credentials = new HashMap<>();
        credentials.put("roles", ctx.roles());
        credentials.put("project_id", ctx.projectId());
        credentials.put("user_id", ctx.userId());
        credentials.put("is_admin", ctx.isAdmin() ? "True" : "False");
        // oslo.context's service credentials: only `service_roles:` and the like match them, never `role:`
        credentials.put("service_roles", ctx.serviceRoles());
        credentials.put("service_user_id", ctx.service() == null ? null : ctx.service().userId());
        credentials.put("service_project_id", ctx.service() == null ? null : ctx.service().projectId());
        return credentials;
    }

    private static Map<String, PolicyRule> defaultRules() {
        String origin = "default policy " + DEFAULTS_RESOURCE;
        try (InputStream in = Policy.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing " + origin + " on the classpath");
            }
            return parseRules(new YAMLMapper().readTree(in), origin);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + origin, e);
        }
    }

    private static ObjectMapper mapperFor(Path file) {
        // Duplicate names would otherwise silently keep the last entry.
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        return json
                ? JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
                : YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    private static Map<String, PolicyRule> parseRules(JsonNode document, String origin) {
        Map<String, PolicyRule> parsed = new LinkedHashMap<>();
        if (document == null || document.isMissingNode() || document.isNull()) {
            return parsed;
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("Invalid " + origin + ": expected a mapping of rule name to rule string");
        }
        for (Map.Entry<String, JsonNode> entry : document.properties()) {
            String name = entry.getKey();
            JsonNode value = entry.getValue();
            if (!value.isTextual()) {
                throw new IllegalArgumentException(
                        "Invalid " + origin + ": rule '" + name + "' must be a string, not " + value.getNodeType());
            }
            try {
                parsed.put(name, PolicyRule.parse(value.textValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Invalid " + origin + ": rule '" + name + "': " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    /** Rejects rules that reach themselves through {@code rule:} references, which would never finish evaluating. */
    private record CycleCheck(Map<String, PolicyRule> rules, String origin) {

        void run() {
            Set<String> done = new HashSet<>();
            for (String name : rules.keySet()) {
                visit(name, new ArrayDeque<>(), done);
            }
        }

        private void visit(String name, Deque<String> path, Set<String> done) {
            if (done.contains(name) || !rules.containsKey(name)) {
                return;
            }
            if (path.contains(name)) {
                throw new IllegalArgumentException("Invalid " + origin + ": rule '" + name
                        + "' refers back to itself through " + String.join(" -> ", path) + " -> " + name);
            }
            path.addLast(name);
            rules.get(name).references().forEach(ref -> visit(ref, path, done));
            path.removeLast();
            done.add(name);
        }
    }
}
