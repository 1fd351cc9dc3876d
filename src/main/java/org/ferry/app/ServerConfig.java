package org.ferry.app;

import org.ferry.config.ConfigException;
import org.ferry.config.IniFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config file as the server reads it, at start and again on SIGHUP: Ferry's options, the process options, and
 * the options the file sets that no reader looked up (Ferry does not implement them).
 */
public record ServerConfig(FerryConfig ferry, ServiceOptions service, List<IniFile.Option> unread,
                           Map<IniFile.Option, String> values) {
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|key|token|connection).*");

    /** The file's options as oslo.config logs them with debug (glance-api's "Full set of CONF"), secrets masked. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        values.forEach((o, v) -> out.add(o + " = " + (SECRET.matcher(o.name()).matches() ? "****" : v)));
        return out;
    }

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
        return new ServerConfig(ferry, service, ini.unread(), ini.options());
    }
}
