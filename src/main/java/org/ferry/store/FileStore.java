package org.ferry.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A directory of image files, one file per image named by its id. Writes go to a hidden temporary file that is
 * renamed into place on commit, so a reader never sees a partial image and a failed write leaves nothing behind.
 * Where the directory's filesystem allows it, files are written with direct I/O ({@link DirectWriteChannel}),
 * otherwise through the page cache with syncs behind the writer ({@link WriteBehindChannel}).
 */
public final class FileStore implements Store {
    private final StoreSettings settings;
    private final FileStoreOptions options;
    private final Path dir;
    /** The alignment for direct-I/O writes into {@link #dir}, or empty where its filesystem refuses direct I/O. */
    private final OptionalInt directIoAlignment;

    public FileStore(StoreSettings settings, FileStoreOptions options) {
        this.settings = settings;
        this.options = options;
        this.dir = options.dataDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory of store " + id() + ": " + this.dir, e);
        }
        this.directIoAlignment = DirectWriteChannel.probe(this.dir);
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public FileStoreOptions options() {
        return options;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data_dir", dir.toString());
        p.put("chunk_size", options.chunkSize());
        p.put("thin_provisioning", options.thinProvisioning());
        return p;
    }

    @Override
    public boolean adoptsStagedFiles() {
        return true;
    }

    /** Whether image files are written here with direct I/O (the filesystem allows it), not through the page cache. */
    public boolean directIo() {
        return directIoAlignment.isPresent();
    }

    public Path pathOf(String imageId) {
        return dir.resolve(imageId);
    }

    public String urlOf(String imageId) {
        return "file://" + pathOf(imageId);
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        Path target = pathOf(imageId);
        Path tmp = dir.resolve("." + imageId + "." + UUID.randomUUID() + ".part");
        ImageFileChannel ch = directIoAlignment.isPresent()
                ? DirectWriteChannel.create(tmp, directIoAlignment.getAsInt())
                : new WriteBehindChannel(FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        return new StoreWrite() {
            private boolean done;

            @Override
            public WritableByteChannel channel() {
                return ch;
            }

            @Override
            public String commit() throws IOException {
                ch.sync();
                ch.close();
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
                done = true;
                return "file://" + target;
            }

            @Override
            public void abort() {
                if (done) {
                    return;
                }
                done = true;
                try {
                    ch.close();
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary name is hidden and unique; a leftover never becomes an image
                }
            }
        };
    }

    /** Like {@link #beginWrite} but refuses to replace existing data (staging: one staged file per image). */
    public StoreWrite beginExclusiveWrite(String imageId) throws IOException {
        if (Files.exists(pathOf(imageId))) {
            throw new FileAlreadyExistsException(pathOf(imageId).toString());
        }
        return beginWrite(imageId);
    }

    /**
     * Puts a complete file (a staged image) into this store without reading it: a hard link when both are on the
     * same filesystem, otherwise a kernel-side copy. Nothing is visible until the final rename.
     *
     * @return the location URL
     */
    public String adopt(Path source, String imageId) throws IOException {
        Path target = pathOf(imageId);
        Path tmp = dir.resolve("." + imageId + "." + UUID.randomUUID() + ".part");
        try {
            try {
                Files.createLink(tmp, source);
            } catch (IOException | UnsupportedOperationException e) {
                try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                     FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long size = in.size();
                    long done = 0;
                    while (done < size) {
                        done += in.transferTo(done, size - done, out);
                    }
                    out.force(false);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            return "file://" + target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes the hidden temporary files of unfinished writes of one image (left by a process that died). */
    @Override
    public void purgePartials(String imageId) {
        String prefix = "." + imageId + ".";
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".part")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up partial files of image " + imageId + " in " + dir, e);
        }
    }

    @Override
    public boolean owns(String url) {
        return toPath(url).isPresent();
    }

    private Optional<Path> toPath(String url) {
        if (url == null || !url.startsWith("file://")) {
            return Optional.empty();
        }
        Path p = Path.of(url.substring("file://".length())).toAbsolutePath().normalize();
        return p.startsWith(dir) && !p.equals(dir) ? Optional.of(p) : Optional.empty();
    }

    /**
     * Opens any regular file inside the store's directory, whether this store wrote it or a location named it
     * (a foreign file:// URL). The real path must stay inside the directory, so a symbolic link cannot lead out.
     */
    @Override
    public StoreData open(String url) throws IOException {
        Path p = toPath(url).orElseThrow(() -> new IOException("location " + url + " is not in store " + id()));
        Path real = p.toRealPath();
        if (!real.startsWith(dir.toRealPath()) || !Files.isRegularFile(real)) {
            throw new IOException("location " + url + " is not a file inside store " + id());
        }
        FileChannel ch = FileChannel.open(real, StandardOpenOption.READ);
        return new StoreData(ch.size(), ch, null);
    }

    @Override
    public void delete(String url) throws IOException {
        Optional<Path> p = toPath(url);
        if (p.isPresent()) {
            Files.deleteIfExists(p.get());
        }
    }
}
