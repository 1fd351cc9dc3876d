package org.ferry.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One parsed rule of the oslo.policy rule language, e.g.
 * {@code role:admin or (role:member and project_id:%(project_id)s)}.
 */
public sealed interface PolicyRule {

    boolean test(Scope scope);

    /** Names this rule refers to through {@code rule:<name>}, directly or inside a boolean expression. */
    default Stream<String> references() {
        return Stream.empty();
    }

    /** Parses a rule string; throws {@link IllegalArgumentException} naming the text when it is malformed. */
    static PolicyRule parse(String text) {
        return new RuleParser(text).parse();
    }

    /**
     * What a rule is evaluated against: the caller's roles and credentials, the target object's attributes,
     * and the named rules {@code rule:<name>} resolves to.
     */
    record Scope(
            Set<String> roles,
            Map<String, ?> credentials,
            Map<String, ?> target,
            Function<String, Optional<PolicyRule>> rules) {

        public Scope {
            Objects.requireNonNull(roles, "roles");
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(rules, "rules");
        }

        String targetValue(String key) {
            Object value = target.get(key);
            return value == null ? null : String.valueOf(value);
        }
    }

    /** {@code ""} or {@code @}. */
    record Always() implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            return true;
        }
    }

    /** {@code !}. */
    record Never() implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            return false;
        }
    }

    /** {@code role:<name>}; the name is kept lower-case because the caller's roles are. */
    record Role(String name) implements PolicyRule {
        public Role {
            name = name.toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean test(Scope scope) {
            return scope.roles().stream().anyMatch(name::equalsIgnoreCase);
        }
    }

    /** {@code rule:<name>}; a name with no rule behind it denies. */
    record RuleRef(String name) implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            return scope.rules().apply(name).map(rule -> rule.test(scope)).orElse(false);
        }

        @Override
        public Stream<String> references() {
            return Stream.of(name);
        }
    }

    /** {@code <credential-key>:%(<target-key>)s}. */
    record CredentialMatchesTarget(String credentialKey, String targetKey) implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            String expected = scope.targetValue(targetKey);
            Object actual = scope.credentials().get(credentialKey);
            return expected != null && actual != null && valueMatches(actual, expected);
        }
    }

    /** {@code <credential-key>:<literal>}, e.g. {@code is_admin:True}. */
    record CredentialMatchesLiteral(String credentialKey, String literal) implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            Object actual = scope.credentials().get(credentialKey);
            return actual != null && valueMatches(actual, literal);
        }
    }

    /** {@code '<literal>':%(<target-key>)s}, e.g. {@code 'public':%(visibility)s}. */
    record LiteralMatchesTarget(String literal, String targetKey) implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            String actual = scope.targetValue(targetKey);
            return actual != null && sameValue(actual, literal);
        }
    }

    record Not(PolicyRule operand) implements PolicyRule {
        @Override
        public boolean test(Scope scope) {
            return !operand.test(scope);
        }

        @Override
        public Stream<String> references() {
            return operand.references();
        }
    }

    record And(List<PolicyRule> operands) implements PolicyRule {
        public And {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(Scope scope) {
            return operands.stream().allMatch(rule -> rule.test(scope));
        }

        @Override
        public Stream<String> references() {
            return operands.stream().flatMap(PolicyRule::references);
        }
    }

    record Or(List<PolicyRule> operands) implements PolicyRule {
        public Or {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(Scope scope) {
            return operands.stream().anyMatch(rule -> rule.test(scope));
        }

        @Override
        public Stream<String> references() {
            return operands.stream().flatMap(PolicyRule::references);
        }
    }

    /** A multi-valued credential (such as {@code roles}) matches when any of its values does. */
    private static boolean valueMatches(Object actual, String expected) {
        if (actual instanceof Collection<?> values) {
            return values.stream().anyMatch(v -> v != null && valueMatches(v, expected));
        }
        return sameValue(String.valueOf(actual), expected);
    }

    // Python renders booleans as True/False while Java renders true/false; policy files use either.
    private static boolean sameValue(String actual, String expected) {
        boolean bool = expected.equalsIgnoreCase("true") || expected.equalsIgnoreCase("false");
        return bool ? actual.equalsIgnoreCase(expected) : actual.equals(expected);
    }
}

/**
 * Recursive-descent parser: {@code or} binds loosest, then {@code and}, then {@code not}.
 * Tokens are whitespace-separated checks, keywords and parentheses; a check's {@code %(key)s}
 * and a leading quoted literal are kept whole even when they hold parentheses or spaces.
 */
final class RuleParser {

    private static final Pattern TARGET_REF = Pattern.compile("%\\(([^()]+)\\)s");

    private final String text;
    private final List<String> tokens;
    private int position;

    RuleParser(String text) {
        this.text = Objects.requireNonNull(text, "rule text");
        this.tokens = tokenize();
    }

    PolicyRule parse() {
        if (tokens.isEmpty()) {
            return new PolicyRule.Always();
        }
        PolicyRule rule = parseOr();
        if (position < tokens.size()) {
            throw error("unexpected '" + tokens.get(position) + "'");
        }
        return rule;
    }

    private PolicyRule parseOr() {
        List<PolicyRule> operands = new ArrayList<>(List.of(parseAnd()));
        while (acceptKeyword("or")) {
            operands.add(parseAnd());
        }
        return operands.size() == 1 ? operands.get(0) : new PolicyRule.Or(operands);
    }

    private PolicyRule parseAnd() {
        List<PolicyRule> operands = new ArrayList<>(List.of(parseNot()));
        while (acceptKeyword("and")) {
            operands.add(parseNot());
        }
        return operands.size() == 1 ? operands.get(0) : new PolicyRule.And(operands);
    }

    private PolicyRule parseNot() {
        if (acceptKeyword("not")) {
            return new PolicyRule.Not(parseNot());
        }
        return parseAtom();
    }

    private PolicyRule parseAtom() {
        if (position >= tokens.size()) {
            throw error("unexpected end of rule");
        }
        String token = tokens.get(position++);
        if (token.equals("(")) {
            PolicyRule inner = parseOr();
            if (position >= tokens.size() || !tokens.get(position).equals(")")) {
                throw error("missing ')'");
            }
            position++;
            return inner;
        }
        if (token.equals(")") || isKeyword(token)) {
            throw error("unexpected '" + token + "'");
        }
        return parseCheck(token);
    }

    private PolicyRule parseCheck(String token) {
        if (token.equals("@")) {
            return new PolicyRule.Always();
        }
        if (token.equals("!")) {
            return new PolicyRule.Never();
        }
        char first = token.charAt(0);
        if (first == '\'' || first == '"') {
            int close = token.indexOf(first, 1);
            if (close + 1 >= token.length() || token.charAt(close + 1) != ':') {
                throw error("expected ':' after quoted literal in '" + token + "'");
            }
            String targetKey = targetKey(token, token.substring(close + 2));
            if (targetKey == null) {
                throw error("a quoted literal must be compared with %(key)s in '" + token + "'");
            }
            return new PolicyRule.LiteralMatchesTarget(token.substring(1, close), targetKey);
        }
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1) {
            throw error("'" + token + "' is not a check of the form kind:match");
        }
        String kind = token.substring(0, colon);
        String match = token.substring(colon + 1);
        String targetKey = targetKey(token, match);
        if (kind.equals("role") || kind.equals("rule")) {
            if (targetKey != null) {
                throw error("'" + kind + ":' takes a name, not a target reference, in '" + token + "'");
            }
            return kind.equals("role") ? new PolicyRule.Role(match) : new PolicyRule.RuleRef(match);
        }
        return targetKey != null
                ? new PolicyRule.CredentialMatchesTarget(kind, targetKey)
                : new PolicyRule.CredentialMatchesLiteral(kind, match);
    }

    /** The key of a match that is exactly {@code %(key)s}, or null for a plain literal. */
    private String targetKey(String token, String match) {
        Matcher matcher = TARGET_REF.matcher(match);
        if (matcher.matches()) {
            return matcher.group(1);
        }
        if (match.contains("%(")) {
            throw error("malformed target reference in '" + token + "'");
        }
        return null;
    }

    private boolean acceptKeyword(String keyword) {
        if (position < tokens.size() && tokens.get(position).equalsIgnoreCase(keyword)) {
            position++;
            return true;
        }
        return false;
    }

    private static boolean isKeyword(String token) {
        return token.equalsIgnoreCase("and") || token.equalsIgnoreCase("or") || token.equalsIgnoreCase("not");
    }

    private List<String> tokenize() {
        List<String> result = new ArrayList<>();
        int length = text.length();
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                result.add(String.valueOf(c));
                i++;
            } else {
                int start = i;
                while (i < length) {
                    char d = text.charAt(i);
                    if (i == start && (d == '\'' || d == '"')) {
                        i = closingIndex(d, i + 1) + 1;
                    } else if (d == '%' && i + 1 < length && text.charAt(i + 1) == '(') {
                        i = closingIndex(')', i + 2) + 1;
                    } else if (Character.isWhitespace(d) || d == '(' || d == ')') {
                        break;
                    } else {
                        i++;
                    }
                }
                result.add(text.substring(start, i));
            }
        }
        return result;
    }

    private int closingIndex(char closer, int from) {
        int index = text.indexOf(closer, from);
        if (index < 0) {
            throw error("missing closing " + closer);
        }
        return index;
    }

    private IllegalArgumentException error(String detail) {
        return new IllegalArgumentException("Invalid policy rule \"" + text + "\": " + detail);
    }
}
