package org.ferry.app;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** [healthcheck] (oslo.middleware's option names) and [metrics]. */
class ObservabilityConfigTest {
    private static final Path BASE = Path.of("/srv/ferry");

    private static FerryConfig parse(String text) {
        return FerryConfig.from(IniFile.parse(List.of(text.split("\n")), "test.conf"), BASE, BASE);
    }

    @Test
    void defaults() {
        FerryConfig c = parse("[DEFAULT]\nbind_port = 9292");
        assertEquals(new FerryConfig.Healthcheck(Optional.empty(), true, List.of("disable_by_file")), c.healthcheck());
        assertEquals(new FerryConfig.Metrics("127.0.0.1", OptionalInt.empty()), c.metrics());
    }

    @Test
    void optionsAreRead() {
        FerryConfig c = parse("""
                [healthcheck]
                disable_by_file_path = run/healthcheck_disable
                backends = disable_by_file, database, stores
                detailed = False
                [metrics]
                bind_host = 0.0.0.0
                bind_port = 9293
                """);
        assertEquals(new FerryConfig.Healthcheck(Optional.of(BASE.resolve("run/healthcheck_disable")), false,
                List.of("disable_by_file", "database", "stores")), c.healthcheck());
        assertEquals(new FerryConfig.Metrics("0.0.0.0", OptionalInt.of(9293)), c.metrics());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[healthcheck]\\nbackends = disable_by_file, enable_by_files|[healthcheck] backends = disable_by_file, enable_by_files: unknown check 'enable_by_files'",
            "[healthcheck]\\ndetailed = sometimes|[healthcheck] detailed = sometimes",
            "[metrics]\\nbind_port = 70000|[metrics] bind_port = 70000",
            "[metrics]\\nbind_port = -1|[metrics] bind_port = -1",
            "[metrics]\\nbind_port = http|[metrics] bind_port = http",
    })
    void badValuesNameSectionOptionAndValue(String text, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
