package org.ferry.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Typed reads of oslo.config values, the one way every section of the file is read. Values are stripped. Where the
 * option types of oslo.config treat an empty value differently, this follows them: an empty integer is "no value"
 * (the default applies), an empty boolean is refused, an empty string is the empty string. A refused value fails
 * with a {@link ConfigException} naming its section, option and value.
 */
public record ConfigReader(IniFile ini) {
    /** The value as written ("" when unset), for messages. */
    public String raw(String section, String option) {
        return ini.get(section, option).orElse("");
    }

    /** The value, or empty when unset or blank. */
    public Optional<String> optional(String section, String option) {
        return ini.get(section, option).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** The value ("" when set blank), or {@code def} when unset. */
    public String string(String section, String option, String def) {
        return ini.get(section, option).orElse(def).strip();
    }

    /** oslo.config's BoolOpt: true/yes/on/1 or false/no/off/0 in any case; anything else, blank included, is refused. */
    public boolean bool(String section, String option, boolean def) {
        Optional<String> v = ini.get(section, option);
        if (v.isEmpty()) {
            return def;
        }
        return switch (v.get().strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw ConfigException.badValue(section, option, v.get().strip(), "not a boolean (true or false)");
        };
    }

    /** An integer of at least {@code min}; unset or blank: {@code def}. */
    public long longValue(String section, String option, long def, long min) {
        return number(section, option, def, min, Long.MAX_VALUE);
    }

    /** An integer of at least {@code min}; unset or blank: {@code def}. */
    public int integer(String section, String option, int def, int min) {
        return integer(section, option, def, min, Integer.MAX_VALUE);
    }

    /** oslo.config's IntOpt with min and max; unset or blank: {@code def}. */
    public int integer(String section, String option, int def, int min, int max) {
        return (int) number(section, option, def, min, max);
    }

    /** An integer option without a default: empty when unset or blank. */
    public OptionalInt optionalInteger(String section, String option, int min, int max) {
        return optional(section, option).isEmpty() ? OptionalInt.empty()
                : OptionalInt.of(integer(section, option, 0, min, max));
    }

    /** A number of seconds between {@code min} and {@code max}; unset or blank: {@code def} seconds. */
    public Duration seconds(String section, String option, int def, int min, int max) {
        return Duration.ofSeconds(integer(section, option, def, min, max));
    }

    /** oslo.config's PortOpt: 0 to 65535. */
    public int port(String section, String option, int def) {
        int n = integer(section, option, def, 0);
        if (n > 65535) {
            throw notAPort(section, option);
        }
        return n;
    }

    /** A port option without a default: empty when unset or blank. */
    public OptionalInt optionalPort(String section, String option) {
        return optional(section, option).isEmpty() ? OptionalInt.empty() : OptionalInt.of(port(section, option, 0));
    }

    /** oslo.config's ListOpt: comma (or line) separated, optionally in brackets; {@code def} when unset. */
    public List<String> list(String section, String option, List<String> def) {
        Optional<String> v = ini.get(section, option);
        if (v.isEmpty()) {
            return def;
        }
        String s = v.get().strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        return Arrays.stream(s.split("[,\n]")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** A list that is empty when unset. */
    public List<String> list(String section, String option) {
        return list(section, option, List.of());
    }

    /** A list of port numbers (0 to 65535); {@code def} when unset. */
    public List<Integer> ports(String section, String option, List<Integer> def) {
        List<String> raw = list(section, option, null);
        if (raw == null) {
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (String p : raw) {
            try {
                int n = Integer.parseInt(p);
                if (n < 0 || n > 65535) {
                    throw new NumberFormatException();
                }
                out.add(n);
            } catch (NumberFormatException e) {
                throw ConfigException.badValue(section, option, raw(section, option), "'" + p + "' is not a port number");
            }
        }
        return out;
    }

    /**
     * oslo.config's DictOpt: {@code key:value} items of a list, in file order; a value may be empty, a key may not,
     * and a key may appear once. Empty when unset.
     */
    public Map<String, String> dict(String section, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : list(section, option)) {
            int c = item.indexOf(':');
            if (c <= 0) {
                throw ConfigException.badValue(section, option, raw(section, option), "'" + item + "' is not key:value");
            }
            String key = item.substring(0, c).strip();
            if (out.put(key, item.substring(c + 1).strip()) != null) {
                throw ConfigException.badValue(section, option, raw(section, option), "'" + key + "' appears twice");
            }
        }
        return out;
    }

    public boolean hasSection(String section) {
        return ini.hasSection(section);
    }

    /** The names of the options a section sets (they count as read: the caller reads or refuses each). */
    public Set<String> options(String section) {
        return ini.section(section).keySet();
    }

    private long number(String section, String option, long def, long min, long max) {
        Optional<String> v = optional(section, option);
        if (v.isEmpty()) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw ConfigException.badValue(section, option, v.get(), "not an integer");
        }
        boolean unbounded = max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
        if (n < min || n > max) {
            throw ConfigException.badValue(section, option, v.get(), !unbounded ? "must be between " + min + " and " + max
                    : n < min ? "must be at least " + min : "too large");
        }
        return n;
    }

    private ConfigException notAPort(String section, String option) {
        return ConfigException.badValue(section, option, raw(section, option), "not a port number (0 to 65535)");
    }
}
