package org.ferry.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where Glance (oslo.config's {@code find_file}) looks for a file the configuration names or defaults to, such as
 * policy.yaml and schema-image.json: the config file's directory first, then /etc/glance. An absolute name is
 * taken as it is.
 */
public record ConfigFiles(List<Path> dirs) {
    public static final Path GLANCE_DIR = Path.of("/etc/glance");

    public ConfigFiles {
        dirs = List.copyOf(dirs);
    }

    /** The search path of a Ferry whose config file is in {@code configDir}. */
    public static ConfigFiles standard(Path configDir) {
        return new ConfigFiles(List.of(configDir.toAbsolutePath().normalize(), GLANCE_DIR));
    }

    public Optional<Path> find(String name) {
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        }
        return dirs.stream().map(d -> d.resolve(p).normalize()).filter(Files::isRegularFile).findFirst();
    }
}
