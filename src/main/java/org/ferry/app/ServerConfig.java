package org.ferry.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The config file as the server reads it, at start and again on SIGHUP: Ferry's options, the process options, and
 * the options the file sets that no reader looked up (Ferry does not implement them).
 */
public record ServerConfig(FerryConfig ferry, ServiceOptions service, List<IniFile.Option> unread) {

    public static ServerConfig load(Path file) {
        IniFile ini;
        try {
            ini = IniFile.read(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Path workDir = Path.of("").toAbsolutePath();
        FerryConfig ferry = FerryConfig.from(ini, workDir, file.toAbsolutePath().getParent());
        ServiceOptions service = ServiceOptions.from(ini, workDir);
        return new ServerConfig(ferry, service, ini.unread());
    }
}
