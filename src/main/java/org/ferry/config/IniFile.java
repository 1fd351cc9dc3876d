package org.ferry.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An oslo.config style INI file: {@code [section]}, {@code key = value}, comments with # or ;, continuation lines indented. */
public final class IniFile {
    private final Map<String, Map<String, String>> sections;
    // every (section, option) some reader looked up: what is left after loading is what Ferry does not implement
    private final Set<Option> looked = ConcurrentHashMap.newKeySet();

    /** One option of one section. */
    public record Option(String section, String name) {
        @Override
        public String toString() {
            return "[" + section + "] " + name;
        }
    }

    private IniFile(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    public static IniFile read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    public static IniFile parse(List<String> lines, String source) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        String lastKey = null;
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && current != null && lastKey != null) {
                current.merge(lastKey, line, (a, b) -> a.isEmpty() ? b : a + "\n" + b);
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new ConfigException(source + ":" + lineNo + ": malformed section header: " + line);
                }
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(), k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int sep = eq >= 0 ? eq : colon;
            if (sep <= 0 || current == null) {
                throw new ConfigException(source + ":" + lineNo + ": expected 'key = value' inside a [section]: " + line);
            }
            lastKey = line.substring(0, sep).strip();
            current.put(lastKey, unquote(line.substring(sep + 1).strip()));
        }
        return new IniFile(sections);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    public Optional<String> get(String section, String key) {
        looked.add(new Option(section, key));
        Map<String, String> s = sections.get(section);
        return s == null ? Optional.empty() : Optional.ofNullable(s.get(key));
    }

    public boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** The section names, in file order. */
    public List<String> sections() {
        return List.copyOf(sections.keySet());
    }

    /** All options of a section; a reader that takes the whole section reads (or rejects) each of them. */
    public Map<String, String> section(String section) {
        Map<String, String> s = sections.getOrDefault(section, Map.of());
        s.keySet().forEach(k -> looked.add(new Option(section, k)));
        return s;
    }

    /** Every option of the file with its value, in file order (does not count as looking them up). */
    public Map<Option, String> options() {
        Map<Option, String> out = new LinkedHashMap<>();
        sections.forEach((section, options) -> options.forEach((k, v) -> out.put(new Option(section, k), v)));
        return out;
    }

    /** The options in the file that no reader has looked up so far, in file order. */
    public List<Option> unread() {
        List<Option> out = new java.util.ArrayList<>();
        sections.forEach((section, options) -> options.keySet().forEach(k -> {
            Option o = new Option(section, k);
            if (!looked.contains(o)) {
                out.add(o);
            }
        }));
        return out;
    }
}
