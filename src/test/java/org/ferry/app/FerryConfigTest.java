package org.ferry.app;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import org.ferry.store.FileStoreOptions;
import org.ferry.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** glance-api.conf option names and values; a bad value names its section, option and value. */
class FerryConfigTest {
    private static final Path BASE = Path.of("/srv/ferry");

    private static FerryConfig parse(String text) {
        return FerryConfig.from(IniFile.parse(List.of(text.split("\n")), "test.conf"), BASE, BASE);
    }

    @Test
    void shippedConfigurationRunsOnEmbeddedDefaults() throws Exception {
        FerryConfig c = FerryConfig.load(Path.of(System.getProperty("ferry.project.dir", "."), "conf", "ferry.conf"));
        assertEquals("127.0.0.1", c.bindHost());
        assertEquals(9292, c.bindPort());
        assertEquals(List.of("fast", "cheap"), c.stores().stream().map(StoreConfig::id).toList());
        assertEquals("fast", c.defaultBackend());
        assertTrue(c.databaseUrl().startsWith("jdbc:h2:file:"));
        assertFalse(c.keystoneAuth());
        assertEquals("sha512", c.hashingAlgorithm());
        assertTrue(((FileStoreOptions) c.stores().get(0).options()).dataDir().endsWith(Path.of("data", "fast")));
    }

    @Test
    void glanceOptionNamesAndListSyntaxesAreRead() {
        FerryConfig c = parse("""
                [DEFAULT]
                bind_port = 9393
                enabled_backends = a:file, b:file, web:http
                enabled_import_methods = [glance-direct, glance-download]
                show_image_direct_url = True
                image_size_cap = 1024
                hashing_algorithm = sha256
                [glance_store]
                default_backend = b
                [a]
                filesystem_store_datadir = /var/a
                store_description = A store
                weight = 5
                [b]
                filesystem_store_datadir = rel/b
                [import_filtering_opts]
                allowed_ports = []
                disallowed_hosts = 10.0.0.1, 10.0.0.2
                [glance_download_properties]
                extra_properties = hw_, os_
                [paste_deploy]
                flavor = keystone
                [keystone_authtoken]
                auth_url = http://127.0.0.1:5000
                username = glance
                password = secret
                project_name = service
                """);
        assertEquals(9393, c.bindPort());
        assertEquals(List.of("glance-direct", "glance-download"), c.enabledImportMethods());
        assertTrue(c.showImageDirectUrl());
        assertEquals(1024, c.imageSizeCap());
        assertEquals("sha256", c.hashingAlgorithm());
        assertEquals("b", c.defaultBackend());
        assertEquals(Path.of("/srv/ferry/rel/b"), ((FileStoreOptions) c.store("b").orElseThrow().options()).dataDir());
        assertEquals(5, c.store("a").orElseThrow().settings().weight());
        assertEquals("http", c.store("web").orElseThrow().type());
        assertEquals(List.of(), c.importFiltering().allowedPorts());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), c.importFiltering().disallowedHosts());
        assertEquals(List.of("hw_", "os_"), c.glanceDownloadExtraProperties());
        assertTrue(c.keystoneAuth());
        assertEquals("http://127.0.0.1:5000", c.keystone().wwwAuthenticateUri());
    }

    @Test
    void serviceTokenOptionsDefaultAsKeystonemiddlewaresAndAreRead() {
        String keystone = """
                [paste_deploy]
                flavor = keystone
                [keystone_authtoken]
                auth_url = http://127.0.0.1:5000
                username = glance
                password = secret
                project_name = service
                """;
        FerryConfig defaults = parse(keystone);
        assertEquals(List.of("service"), defaults.keystone().serviceTokenRoles());
        assertFalse(defaults.keystone().serviceTokenRolesRequired());
        FerryConfig set = parse(keystone + "service_token_roles = service, nova-service\n"
                + "service_token_roles_required = true\n");
        assertEquals(List.of("service", "nova-service"), set.keystone().serviceTokenRoles());
        assertTrue(set.keystone().serviceTokenRolesRequired());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[DEFAULT]\\nbind_port = abc|[DEFAULT] bind_port = abc",
            "[DEFAULT]\\nshow_multiple_locations = maybe|[DEFAULT] show_multiple_locations = maybe",
            "[DEFAULT]\\nenabled_import_methods = glance-direct, teleport|[DEFAULT] enabled_import_methods",
            "[DEFAULT]\\nhashing_algorithm = crc32|[DEFAULT] hashing_algorithm = crc32",
            "[DEFAULT]\\nenabled_backends = fast:ceph\\n[glance_store]\\ndefault_backend = fast|[DEFAULT] enabled_backends",
            "[DEFAULT]\\nenabled_backends = os_glance_x:file|[DEFAULT] enabled_backends",
            "[DEFAULT]\\nenabled_backends = fast:file\\n[glance_store]\\ndefault_backend = slow|[glance_store] default_backend = slow",
            "[DEFAULT]\\nenabled_backends = fast:file\\n[glance_store]\\ndefault_backend = fast|[fast] filesystem_store_datadir",
            "[database]\\nconnection = mysql://x|[database] connection = mysql://x",
            "[paste_deploy]\\nflavor = keystone+cache|[paste_deploy] flavor = keystone+cache",
            "[paste_deploy]\\nflavor = keystone|[keystone_authtoken] auth_url",
            "[import_filtering_opts]\\nallowed_ports = 80, http|[import_filtering_opts] allowed_ports",
            "[DEFAULT]\\nimage_size_cap = -5|[DEFAULT] image_size_cap = -5",
            "[DEFAULT]\\nenabled_backends = web:http\\n[glance_store]\\ndefault_backend = web|[glance_store] default_backend = web: an http store is read-only",
            "[DEFAULT]\\nenabled_backends = sw:swift\\n[glance_store]\\ndefault_backend = sw\\n[sw]\\nswift_store_multi_tenant = True|[sw] swift_store_multi_tenant = True: each image goes into the account of the user who writes it",
    })
    void badValuesNameSectionOptionAndValue(String text, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    /** oslo.config's IntOpt: an empty value has no value, so the default applies (was refused as "not an integer"). */
    @Test
    void anEmptyIntegerTakesTheDefault() {
        FerryConfig c = parse("[DEFAULT]\nbind_port =\napi_limit_max =\n[task]\ntask_time_to_live =");
        assertEquals(9292, c.bindPort());
        assertEquals(1000, c.apiLimitMax());
        assertEquals(48, c.taskTimeToLiveHours());
    }
}
