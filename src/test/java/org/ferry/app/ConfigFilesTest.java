package org.ferry.app;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where files and logs are found, and which options count as read: the rules behind the start-up log lines. */
class ConfigFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsFoundBesideTheConfigThenInTheGlanceDirectory() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path glance = Files.createDirectories(dir.resolve("etc-glance"));
        ConfigFiles files = new ConfigFiles(List.of(conf, glance));
        assertEquals(Optional.empty(), files.find("policy.yaml"));
        Files.writeString(glance.resolve("policy.yaml"), "{}");
        assertEquals(Optional.of(glance.resolve("policy.yaml")), files.find("policy.yaml"));
        Files.writeString(conf.resolve("policy.yaml"), "{}");
        assertEquals(Optional.of(conf.resolve("policy.yaml")), files.find("policy.yaml"));
        assertEquals(Optional.of(conf.resolve("policy.yaml")), files.find(conf.resolve("policy.yaml").toString()));
        assertEquals(List.of(conf, ConfigFiles.GLANCE_DIR), ConfigFiles.standard(conf).dirs());
    }

    @Test
    void thePolicyFileResolvesBesideTheConfigFileNotTheWorkingDirectory() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("rules.yaml"), "{}");
        IniFile ini = IniFile.parse(List.of("[oslo_policy]", "policy_file = rules.yaml"), "test");
        assertEquals(Optional.of(conf.resolve("rules.yaml")), FerryConfig.from(ini, dir, conf).policyFile());

        IniFile missing = IniFile.parse(List.of("[oslo_policy]", "policy_file = nope.yaml"), "test");
        ConfigException e = assertThrows(ConfigException.class, () -> FerryConfig.from(missing, dir, conf));
        assertEquals("[oslo_policy] policy_file = nope.yaml: no such file in [" + conf + ", /etc/glance]", e.getMessage());
    }

    @Test
    void logFileAndLogDirCombineAsInOsloLog() {
        assertEquals(Optional.empty(), service().logFile());
        assertEquals(Optional.of(dir.resolve("a.log")), service("log_file = a.log").logFile());
        assertEquals(Optional.of(dir.resolve("logs/a.log")), service("log_file = a.log", "log_dir = logs").logFile());
        assertEquals(Optional.of(dir.resolve("logs/ferry.log")), service("log_dir = logs").logFile());
        assertEquals(Optional.of(Path.of("/var/log/x.log")), service("log_file = /var/log/x.log", "log_dir = logs").logFile());
        assertEquals(Duration.ofSeconds(60), service().gracefulShutdownTimeout());
        assertEquals(Duration.ZERO, service("graceful_shutdown_timeout = 0").gracefulShutdownTimeout());
        ConfigException e = assertThrows(ConfigException.class, () -> service("use_json = maybe"));
        assertEquals("[DEFAULT] use_json = maybe: not a boolean (true or false)", e.getMessage());
    }

    private ServiceOptions service(String... defaults) {
        List<String> lines = new java.util.ArrayList<>(List.of("[DEFAULT]"));
        lines.addAll(List.of(defaults));
        return ServiceOptions.from(IniFile.parse(lines, "test"), dir);
    }

    @Test
    void theOptionsNoReaderLookedUpAreTheUnreadOnes() {
        IniFile ini = IniFile.parse(List.of("[DEFAULT]", "bind_port = 9292", "colour = blue", "[glance_download_regions]",
                "RegionTwo = http://127.0.0.1:9393", "[replication:stray]", "owner = x"), "test");
        FerryConfig.from(ini, dir, dir);
        ServiceOptions.from(ini, dir);
        assertEquals(List.of(new IniFile.Option("DEFAULT", "colour"), new IniFile.Option("replication:stray", "owner")),
                ini.unread());
    }
}
