package org.ferry.store;

import org.ferry.config.ConfigException;
import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A store's section read once: the options every store has, then its driver's own record. */
class StoreConfigTest {
    private static final Path BASE = Path.of("/srv/ferry");

    private static ConfigReader reader(String... lines) {
        return new ConfigReader(IniFile.parse(List.of(lines), "test.conf"));
    }

    @Test
    void aFileStoreSectionGivesItsCommonAndDriverOptions() {
        StoreConfig c = StoreConfig.read(reader("[fast]", "filesystem_store_datadir = data/fast",
                "store_description = Fast", "weight = -3", "filesystem_store_chunk_size = 4096",
                "filesystem_thin_provisioning = yes"), "fast", "file", BASE);
        assertEquals(new StoreSettings("fast", Optional.of("Fast"), -3), c.settings());
        assertEquals(new FileStoreOptions(BASE.resolve("data/fast"), 4096, true), c.options());
        assertEquals("file", c.type());
        assertTrue(c.options().writable());
    }

    @Test
    void anHttpStoreHasNoOptionsOfItsOwnAndIsReadOnly() {
        StoreConfig c = StoreConfig.read(reader("[web]"), "web", "http", BASE);
        assertEquals(new StoreSettings("web", Optional.empty(), 0), c.settings());
        assertEquals(new HttpStoreOptions(), c.options());
        assertFalse(c.options().writable());
        assertFalse(c.options().open(c.settings(), null).writable());
    }

    @Test
    void theSingleStoreReadsGlanceStoreAndAFileStoreNeedsADirectory() {
        StoreConfig single = StoreConfig.singleStore(reader("[glance_store]", "filesystem_store_chunk_size = 1024"), BASE);
        assertEquals(new FileStoreOptions(BASE.resolve("data/images"), 1024, false), single.options());
        assertEquals("file", single.id());
        ConfigException e = assertThrows(ConfigException.class,
                () -> StoreConfig.read(reader("[a]", "weight = 1"), "a", "file", BASE));
        assertEquals("[a] filesystem_store_datadir = : a file store needs a data directory", e.getMessage());
    }
}
