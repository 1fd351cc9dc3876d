package org.ferry.data;

import org.ferry.json.Jackson;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The digests computed while data was staged, kept beside the staged file so a later import can commit it without
 * reading it again to hash it.
 */
public final class StagedDigests {
    private static final ObjectMapper JSON = Jackson.MAPPER;

    private StagedDigests() {
    }

    public static Path sidecar(Path staged) {
        return staged.resolveSibling("." + staged.getFileName() + ".digests");
    }

    public static void write(Path staged, Digests d) throws IOException {
        Path tmp = staged.resolveSibling("." + staged.getFileName() + ".digests.tmp");
        JSON.writeValue(tmp.toFile(), d);
        Files.move(tmp, sidecar(staged), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The digests of a staged file, if recorded and still matching its size. */
    public static Optional<Digests> read(Path staged) {
        try {
            Digests d = JSON.readValue(sidecar(staged).toFile(), Digests.class);
            return Files.size(staged) == d.size() ? Optional.of(d) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void delete(Path staged) throws IOException {
        Files.deleteIfExists(sidecar(staged));
        Files.deleteIfExists(staged);
    }
}
