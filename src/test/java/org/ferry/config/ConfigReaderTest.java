package org.ferry.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one typed reader of the config file: oslo.config's value syntax and its handling of empty values. */
class ConfigReaderTest {
    private static ConfigReader reader(String... lines) {
        return new ConfigReader(IniFile.parse(List.of(lines), "test.conf"));
    }

    private static String refusal(Runnable read) {
        return assertThrows(ConfigException.class, read::run).getMessage();
    }

    @Test
    void unsetValuesTakeTheDefault() {
        ConfigReader r = reader("[s]");
        assertEquals("d", r.string("s", "o", "d"));
        assertEquals(Optional.empty(), r.optional("s", "o"));
        assertTrue(r.bool("s", "o", true));
        assertEquals(7, r.integer("s", "o", 7, 1));
        assertEquals(9292, r.port("s", "o", 9292));
        assertEquals(OptionalInt.empty(), r.optionalPort("s", "o"));
        assertEquals(List.of("a"), r.list("s", "o", List.of("a")));
        assertEquals(List.of(), r.list("s", "o"));
        assertEquals(Map.of(), r.dict("s", "o"));
        assertEquals(Duration.ofSeconds(60), r.seconds("s", "o", 60, 5, 3600));
    }

    @Test
    void emptyValuesAreReadAsOsloConfigReadsThem() {
        ConfigReader r = reader("[s]", "str =", "int =", "bool =", "list =");
        assertEquals("", r.string("s", "str", "d"), "an empty StrOpt is the empty string");
        assertEquals(Optional.empty(), r.optional("s", "str"));
        assertEquals(7, r.integer("s", "int", 7, 1, 10), "an empty IntOpt has no value: the default applies");
        assertEquals(OptionalInt.empty(), r.optionalInteger("s", "int", 0, 10));
        assertEquals(List.of(), r.list("s", "list", List.of("a")));
        assertEquals("[s] bool = : not a boolean (true or false)", refusal(() -> r.bool("s", "bool", true)));
    }

    @Test
    void valuesAreStrippedAndTyped() {
        ConfigReader r = reader("[s]", "b = Yes", "n = 42", "l = [x, y ,z]", "d = a:1, b:", "o = '  v  '");
        assertTrue(r.bool("s", "b", false));
        assertEquals(42, r.integer("s", "n", 0, 1, 64));
        assertEquals(42L, r.longValue("s", "n", 0, 1));
        assertEquals(List.of("x", "y", "z"), r.list("s", "l"));
        assertEquals(Map.of("a", "1", "b", ""), r.dict("s", "d"));
        assertEquals(Optional.of("v"), r.optional("s", "o"));
    }

    @Test
    void badValuesNameSectionOptionValueAndTheRule() {
        ConfigReader r = reader("[s]", "n = 0", "big = 99999999999", "word = lots", "p = 70000", "d = a:1, a:2",
                "k = novalue", "ports = 80, http", "b = maybe");
        assertEquals("[s] n = 0: must be between 1 and 64", refusal(() -> r.integer("s", "n", 2, 1, 64)));
        assertEquals("[s] n = 0: must be at least 1", refusal(() -> r.integer("s", "n", 2, 1)));
        assertEquals("[s] big = 99999999999: too large", refusal(() -> r.integer("s", "big", 2, 1)));
        assertEquals("[s] word = lots: not an integer", refusal(() -> r.integer("s", "word", 2, 1)));
        assertEquals("[s] p = 70000: not a port number (0 to 65535)", refusal(() -> r.port("s", "p", 1)));
        assertEquals("[s] d = a:1, a:2: 'a' appears twice", refusal(() -> r.dict("s", "d")));
        assertEquals("[s] k = novalue: 'novalue' is not key:value", refusal(() -> r.dict("s", "k")));
        assertEquals("[s] ports = 80, http: 'http' is not a port number", refusal(() -> r.ports("s", "ports", List.of())));
        assertEquals("[s] b = maybe: not a boolean (true or false)", refusal(() -> r.bool("s", "b", false)));
        assertFalse(r.hasSection("t"));
    }
}
