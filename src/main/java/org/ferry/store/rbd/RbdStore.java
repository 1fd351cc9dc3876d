package org.ferry.store.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import org.ferry.store.RbdStoreOptions;
import org.ferry.store.Store;
import org.ferry.store.StoreInUseException;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Glance's rbd store: each image is an RBD image named by the image id in {@code rbd_store_pool}, with a protected
 * snapshot {@code snap}; the location {@code rbd://<fsid>/<pool>/<id>/snap} is what Nova and Cinder clone from.
 *
 * <p>An image being written carries the metadata key {@value #WRITING} until its commit, so an image left by a crash
 * is told apart from finished ones, and from the images other services (a real Glance sharing the pool) keep there:
 * only images with that mark are ever removed as leftovers.
 */
public final class RbdStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(RbdStore.class);
    /** Glance's snapshot name. */
    public static final String SNAPSHOT = "snap";
    /** Metadata on an RBD image Ferry is still writing; its value says who writes it, and since when. */
    public static final String WRITING = "ferry.writing";
    /** Metadata on a copy made inside Ceph that is still a clone of its source; its value names the source. */
    public static final String FLATTEN = "ferry.flatten";
    /** The suffix of an RBD image's name while it is made and not yet marked {@value #WRITING}. */
    static final String CREATING_SUFFIX = ".ferry-creating";
    /** The connect timeout when rados_connect_timeout is 0: librados would wait 300 s, and a request with it. */
    static final int DEFAULT_CONNECT_TIMEOUT = 30;
    /** How long a listed RBD image without a header must stay so before it counts as a cut-short remove. */
    static final Duration HEADERLESS_PATIENCE = Duration.ofSeconds(2);

    private final StoreSettings settings;
    private final RbdStoreOptions options;
    private final CephCluster cluster;

    public RbdStore(StoreSettings settings, RbdStoreOptions options) {
        this.settings = settings;
        this.options = options;
        this.cluster = new CephCluster(options.cephConf(), options.user(),
                options.connectTimeout() > 0 ? options.connectTimeout() : DEFAULT_CONNECT_TIMEOUT);
    }

    @Override
    public StoreSettings settings() {
        return settings;
    }

    @Override
    public RbdStoreOptions options() {
        return options;
    }

    public String pool() {
        return options.pool();
    }

    /** The fsid of the store's cluster; connects if not yet connected. */
    public String fsid() throws IOException {
        return cluster.fsid();
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("chunk_size", options.chunkSizeBytes());
        p.put("pool", options.pool());
        p.put("thin_provisioning", options.thinProvisioning());
        try {
            p.put("fsid", cluster.fsid());
        } catch (IOException e) { // the cluster is unreachable now: the rest is still true
            LOG.warn("store {}: cannot read the Ceph fsid: {}", id(), e.getMessage());
        }
        return p;
    }

    /** A Ceph option as this store's connection uses it (ceph.conf, then {@link CephCluster#STREAMING_OPTIONS}). */
    String cephOption(String name) throws IOException {
        return cluster.option(name);
    }

    public String urlOf(String imageId) throws IOException {
        return new RbdLocation(cluster.fsid(), options.pool(), imageId, SNAPSHOT).url();
    }

    @Override
    public StoreWrite beginWrite(String imageId) throws IOException {
        return beginWrite(imageId, -1);
    }

    @Override
    public StoreWrite beginWrite(String imageId, long expectedSize) throws IOException {
        Pointer ioctx = cluster.ioctx(options.pool());
        String url = urlOf(imageId);
        long initial = Math.max(expectedSize, 0);
        RbdImage image = createMarked(ioctx, imageId, "creating RBD image", name -> createImage(ioctx, name, initial,
                options.chunkSizeBytes()), Map.of(WRITING, writer()));
        RbdImageWriter writer = new RbdImageWriter(image, options.chunkSizeBytes(), options.thinProvisioning(),
                initial, expectedSize >= 0);
        return new RbdWrite(ioctx, image, writer, url);
    }

    /** Makes an RBD image under a given name: {@code rbd_create4} or {@code rbd_clone3}; a negative errno. */
    private interface Creation {
        long make(String name) throws RbdException;
    }

    /**
     * Makes the RBD image {@code name} carrying {@code marks}, and opens it. Neither librbd call makes an image with
     * metadata, so the image is made under {@link #creatingName} first, marked, and only then renamed: a crash at any
     * point leaves an image that is recognisably Ferry's unfinished write (the temporary name, or the mark), never an
     * unmarked image under the image id that would block every later write of it. A leftover of an earlier,
     * unfinished write of the same image is replaced.
     */
    private RbdImage createMarked(Pointer ioctx, String name, String what, Creation creation,
                                  Map<String, String> marks) throws IOException {
        String temporary = creatingName(name);
        long rc = creation.make(temporary);
        if (rc == -RbdException.EEXIST && remove(ioctx, temporary)) {
            rc = creation.make(temporary);
        }
        RbdException.check(rc, what + " " + options.pool() + "/" + temporary);
        try {
            try (RbdImage image = RbdImage.open(ioctx, options.pool(), temporary)) {
                for (Map.Entry<String, String> mark : marks.entrySet()) {
                    image.setMetadata(mark.getKey(), mark.getValue());
                }
            }
            rc = LibRbd.LIB.rbd_rename(ioctx, temporary, name);
            if (rc == -RbdException.EEXIST && purgePartial(ioctx, name)) {
                rc = LibRbd.LIB.rbd_rename(ioctx, temporary, name);
            }
            RbdException.check(rc, "renaming RBD image " + options.pool() + "/" + temporary + " to " + name);
        } catch (IOException | RuntimeException e) {
            LibRbd.LIB.rbd_remove(ioctx, temporary);
            throw e;
        }
        try {
            return RbdImage.open(ioctx, options.pool(), name);
        } catch (RbdException e) {
            LibRbd.LIB.rbd_remove(ioctx, name);
            throw e;
        }
    }

    /** The name an RBD image has between its creation and its mark (see {@link #createMarked}). */
    static String creatingName(String imageId) {
        return imageId + CREATING_SUFFIX;
    }

    private long cloneImage(Pointer parentIoctx, RbdLocation src, Pointer ioctx, String name) throws RbdException {
        PointerByReference opts = new PointerByReference();
        LibRbd.LIB.rbd_image_options_create(opts);
        try {
            RbdException.check(LibRbd.LIB.rbd_image_options_set_uint64(opts.getValue(), LibRbd.OPTION_ORDER,
                    Integer.numberOfTrailingZeros(options.chunkSizeBytes())), "setting the RBD object size");
            return LibRbd.LIB.rbd_clone3(parentIoctx, src.image(), src.snapshot(), ioctx, name, opts.getValue());
        } finally {
            LibRbd.LIB.rbd_image_options_destroy(opts.getValue());
        }
    }

    private static long createImage(Pointer ioctx, String name, long size, int objectSize) throws RbdException {
        PointerByReference opts = new PointerByReference();
        LibRbd.LIB.rbd_image_options_create(opts);
        try {
            RbdException.check(LibRbd.LIB.rbd_image_options_set_uint64(opts.getValue(), LibRbd.OPTION_ORDER,
                    Integer.numberOfTrailingZeros(objectSize)), "setting the RBD object size");
            return LibRbd.LIB.rbd_create4(ioctx, name, size, opts.getValue());
        } finally {
            LibRbd.LIB.rbd_image_options_destroy(opts.getValue());
        }
    }

    private static String writer() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return ManagementFactory.getRuntimeMXBean().getPid() + "@" + host + " since " + Instant.now();
    }

    /** An image being written: its bytes go through {@link RbdImageWriter}; the commit snapshots and protects it. */
    private final class RbdWrite implements StoreWrite {
        private final Pointer ioctx;
        private final RbdImage image;
        private final WritableByteChannel channel;
        private final RbdImageWriter writer;
        private final String url;
        private boolean done;
        /** Whether the commit got as far as the snapshot, which an abort must then remove first. */
        private boolean snapshotted;

        RbdWrite(Pointer ioctx, RbdImage image, RbdImageWriter writer, String url) {
            this.ioctx = ioctx;
            this.image = image;
            this.writer = writer;
            this.channel = writer;
            this.url = url;
        }

        /** A copy made inside Ceph: nothing is written through the channel. */
        RbdWrite(Pointer ioctx, RbdImage image, String url) {
            this.ioctx = ioctx;
            this.image = image;
            this.writer = null;
            this.channel = new RefusingChannel(image.name());
            this.url = url;
        }

        @Override
        public WritableByteChannel channel() {
            return channel;
        }

        @Override
        public String commit() throws IOException {
            if (writer != null) {
                writer.finish();
                writer.close();
            } else {
                image.flush();
            }
            image.removeMetadata(WRITING);
            snapshotted = true;
            image.createProtectedSnapshot(SNAPSHOT);
            image.close();
            done = true;
            if (writer == null) {
                flattenInBackground(imageName(url));
            }
            return url;
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            if (writer != null) {
                writer.close();
            }
            if (snapshotted) {
                try {
                    image.removeSnapshot(SNAPSHOT);
                } catch (RbdException e) {
                    LOG.warn("store {}: aborting {}: {}", id(), image.name(), e.getMessage());
                }
            }
            image.close();
            long rc = LibRbd.LIB.rbd_remove(ioctx, imageName(url));
            if (rc < 0 && rc != -RbdException.ENOENT) {
                LOG.warn("store {}: could not remove the unfinished RBD image {} ({}); it is removed at the next start",
                        id(), image.name(), new RbdException("removing", rc).getMessage());
            }
        }
    }

    private static String imageName(String url) {
        return RbdLocation.parse(url).orElseThrow().image();
    }

    /** The channel of a copy made inside Ceph: the bytes never pass through Ferry, so writing is a mistake. */
    private record RefusingChannel(String image) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new IOException(image + " is copied inside Ceph; nothing is written through Ferry");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /**
     * Copies an rbd location of the same cluster into this store's pool inside Ceph: a clone of the source snapshot,
     * so the copy is there at once and the bytes do not pass through Ferry. After the commit a background flatten
     * (see {@link RbdFlattener}) makes the copy independent of its source; until it has, the clone carries
     * {@value #FLATTEN}, and a delete of the source flattens it first.
     */
    @Override
    public Optional<StoreWrite> copyInside(Store source, String sourceUrl, String imageId) throws IOException {
        Optional<RbdLocation> from = RbdLocation.parse(sourceUrl);
        if (!(source instanceof RbdStore) || from.isEmpty() || !from.get().fsid().equals(cluster.fsid())) {
            return Optional.empty();
        }
        RbdLocation src = from.get();
        Pointer parentIoctx = cluster.ioctx(src.pool());
        Pointer ioctx = cluster.ioctx(options.pool());
        Map<String, String> marks = new LinkedHashMap<>();
        marks.put(WRITING, writer());
        marks.put(FLATTEN, src.pool() + "/" + src.image() + "@" + src.snapshot());
        RbdImage image = createMarked(ioctx, imageId, "cloning " + src + " into", name -> cloneImage(parentIoctx, src,
                ioctx, name), marks);
        return Optional.of(new RbdWrite(ioctx, image, urlOf(imageId)));
    }

    /** Queues the flatten of a committed copy of this pool. */
    private void flattenInBackground(String name) throws RbdException {
        Pointer ioctx = cluster.ioctx(options.pool());
        RbdFlattener.SHARED.inBackground(flattenKey(options.pool(), name), () -> flattenCopy(ioctx, options.pool(),
                name));
    }

    private String flattenKey(String pool, String name) throws RbdException {
        return cluster.fsid() + "/" + pool + "/" + name;
    }

    /** Flattens a copy made by {@link #copyInside} if it still carries {@value #FLATTEN}; gone is fine. */
    private void flattenCopy(Pointer ioctx, String pool, String name) throws IOException {
        Optional<RbdImage> opened = openIfExists(ioctx, pool, name);
        if (opened.isEmpty()) {
            return;
        }
        try (RbdImage image = opened.get()) {
            if (!image.hasMetadata(FLATTEN)) {
                return;
            }
            long start = System.nanoTime();
            image.flatten();
            image.removeMetadata(FLATTEN);
            LOG.info("store {}: the copy {}/{} no longer depends on its source (flattened in {} ms)", id(), pool, name,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * Queues the flattens a restart cut short: committed copies of this pool that still carry {@value #FLATTEN}.
     */
    @Override
    public void finishCopiesInside() throws IOException {
        for (String name : imagesWhere(i -> i.hasMetadata(FLATTEN) && !i.hasMetadata(WRITING))) {
            flattenInBackground(name);
        }
    }

    /** Locations of this store's cluster (fsid) and pool. */
    @Override
    public boolean owns(String url) {
        Optional<RbdLocation> l = RbdLocation.parse(url);
        if (l.isEmpty() || !l.get().pool().equals(options.pool())) {
            return false;
        }
        try {
            return l.get().fsid().equals(cluster.fsid());
        } catch (IOException e) {
            LOG.warn("store {}: cannot tell whether it serves {}: {}", id(), url, e.getMessage());
            return false;
        }
    }

    private RbdLocation ownLocation(String url) throws IOException {
        if (!owns(url)) {
            throw new IOException("location " + url + " is not in store " + id() + " (pool " + options.pool() + ")");
        }
        return RbdLocation.parse(url).orElseThrow();
    }

    @Override
    public StoreData open(String url) throws IOException {
        RbdLocation l = ownLocation(url);
        RbdImage image = RbdImage.openSnapshot(cluster.ioctx(l.pool()), l.pool(), l.image(), l.snapshot());
        try {
            long size = image.size();
            return new StoreData(size, null, new RbdReadStream(image, size, options.chunkSizeBytes()));
        } catch (RbdException e) {
            image.close();
            throw e;
        }
    }

    /**
     * Refuses, with {@link StoreInUseException}, a location whose image has clones other than Ferry's own copies
     * still to be flattened (a volume, a server); nothing is changed.
     */
    @Override
    public void checkDeletable(String url) throws IOException {
        RbdLocation l = ownLocation(url);
        Optional<RbdImage> image = openIfExists(cluster.ioctx(l.pool()), l.pool(), l.image());
        if (image.isEmpty()) {
            return;
        }
        try (RbdImage i = image.get()) {
            if (i.hasClones()) {
                ownCopies(l);
            }
        }
    }

    /**
     * The clones of a location's snapshot, when every one is a copy Ferry made inside Ceph that is not flattened yet
     * (same image id, {@value #FLATTEN}).
     *
     * @throws StoreInUseException when a clone is anything else, or the clones cannot be listed (one lives in a pool
     *                             this user cannot read, such as Cinder's)
     */
    private List<RbdImage.Clone> ownCopies(RbdLocation l) throws IOException {
        List<RbdImage.Clone> clones;
        try (RbdImage snap = RbdImage.openSnapshot(cluster.ioctx(l.pool()), l.pool(), l.image(), l.snapshot())) {
            clones = snap.clones();
        } catch (RbdException e) {
            if (e.errno() == RbdException.EPERM || e.errno() == RbdException.ENOENT) {
                throw inUse(l);
            }
            throw e;
        }
        for (RbdImage.Clone c : clones) {
            if (c.trash() || !c.image().equals(l.image()) || !isUnflattenedCopy(c)) {
                throw inUse(l);
            }
        }
        return clones;
    }

    private boolean isUnflattenedCopy(RbdImage.Clone c) {
        try {
            Optional<RbdImage> clone = openIfExists(cluster.ioctx(c.pool()), c.pool(), c.image());
            if (clone.isEmpty()) {
                return false;
            }
            try (RbdImage i = clone.get()) {
                return i.hasMetadata(FLATTEN);
            }
        } catch (RbdException e) {
            return false;
        }
    }

    /** The image opened for writing, or empty when there is no image of that name. */
    private static Optional<RbdImage> openIfExists(Pointer ioctx, String pool, String name) throws RbdException {
        try {
            return Optional.of(RbdImage.open(ioctx, pool, name));
        } catch (RbdException e) {
            if (e.errno() == RbdException.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static StoreInUseException inUse(RbdLocation l) {
        return new StoreInUseException("RBD snapshot " + l.pool() + "/" + l.image() + "@" + l.snapshot()
                + " has clones (volumes or servers made from it)");
    }

    /**
     * Glance's delete: unprotect and remove the snapshot, then the image. A snapshot with clones answers
     * {@link StoreInUseException} before anything is removed, unless the clones are Ferry's own copies still to be
     * flattened: those are flattened first. A flatten of this image itself is dropped or waited for. An image already
     * gone is not an error.
     */
    @Override
    public void delete(String url) throws IOException {
        RbdLocation l = ownLocation(url);
        Pointer ioctx = cluster.ioctx(l.pool());
        RbdFlattener.SHARED.forget(flattenKey(l.pool(), l.image()));
        Optional<RbdImage> opened = openIfExists(ioctx, l.pool(), l.image());
        if (opened.isEmpty()) {
            return;
        }
        try (RbdImage image = opened.get()) {
            if (image.hasClones()) {
                flattenOwnCopies(l);
            }
        }
        opened = openIfExists(ioctx, l.pool(), l.image()); // a fresh header: the flattens detached the copies
        if (opened.isEmpty()) {
            return;
        }
        try (RbdImage image = opened.get()) {
            if (image.hasClones()) {
                throw inUse(l);
            }
            try {
                image.removeSnapshot(l.snapshot());
            } catch (RbdException e) {
                if (e.errno() == RbdException.EBUSY) {
                    throw inUse(l);
                }
                throw e;
            }
        }
        long rc = LibRbd.LIB.rbd_remove(ioctx, l.image());
        if (rc == -RbdException.EBUSY) {
            throw new StoreInUseException("RBD image " + l.pool() + "/" + l.image() + " is open elsewhere (it has "
                    + "watchers)");
        }
        if (rc != -RbdException.ENOENT) {
            RbdException.check(rc, "removing RBD image " + l.pool() + "/" + l.image());
        }
    }

    private void flattenOwnCopies(RbdLocation l) throws IOException {
        for (RbdImage.Clone c : ownCopies(l)) {
            Pointer cloneIoctx = cluster.ioctx(c.pool());
            RbdFlattener.SHARED.now(flattenKey(c.pool(), c.image()), () -> flattenCopy(cloneIoctx, c.pool(),
                    c.image()));
        }
    }

    /**
     * Removes an RBD image of this id that an unfinished write left (it carries {@link #WRITING}).
     *
     * @throws StoreInUseException while its writer still has it open (alive, or crashed less than
     *                             osd_client_watch_timeout ago): try again later
     */
    @Override
    public void purgePartials(String imageId) throws IOException {
        Pointer ioctx = cluster.ioctx(options.pool());
        remove(ioctx, creatingName(imageId));
        purgePartial(ioctx, imageId);
    }

    /** @return true when an unfinished write of that name was there and is gone now */
    private boolean purgePartial(Pointer ioctx, String name) throws IOException {
        Optional<RbdImage> opened = openIfExists(ioctx, options.pool(), name);
        if (opened.isEmpty()) {
            // nothing there, or a remove cut short (still listed, no header left to open): rbd_remove finishes that
            return remove(ioctx, name);
        }
        try (RbdImage image = opened.get()) {
            if (!image.hasMetadata(WRITING)) {
                return false;
            }
            image.removeSnapshot(SNAPSHOT);
        }
        return remove(ioctx, name);
    }

    /** @return true when the image was there and is gone now */
    private boolean remove(Pointer ioctx, String name) throws IOException {
        long rc = LibRbd.LIB.rbd_remove(ioctx, name);
        if (rc == -RbdException.ENOENT) {
            return false;
        }
        if (rc == -RbdException.EBUSY) {
            throw new StoreInUseException("the unfinished RBD image " + options.pool() + "/" + name + " is still open "
                    + "by its writer (a crashed writer's watch ends after osd_client_watch_timeout)");
        }
        RbdException.check(rc, "removing the unfinished RBD image " + options.pool() + "/" + name);
        LOG.info("store {}: removed the RBD image {} an unfinished write left", id(), name);
        return true;
    }

    /** Ferry's unfinished RBD images carry its mark, or its temporary name. */
    @Override
    public boolean marksItsWrites() {
        return true;
    }

    /**
     * The image ids of RBD images in the pool that Ferry started writing and never committed: marked
     * {@value #WRITING}, still under their {@link #creatingName}, or listed without a header to open (a crash inside
     * {@code rbd_remove}, which librbd starts by moving the image to the trash, leaves that; so does a crash inside
     * {@code rbd_create4}).
     */
    @Override
    public List<String> unfinishedWrites() throws IOException {
        Pointer ioctx = cluster.ioctx(options.pool());
        Set<String> ids = new LinkedHashSet<>();
        List<String> headerless = new ArrayList<>();
        for (String name : list(ioctx)) {
            Optional<RbdImage> opened = openIfExists(ioctx, options.pool(), name);
            if (opened.isEmpty()) {
                headerless.add(name);
                continue;
            }
            try (RbdImage image = opened.get()) {
                if (name.endsWith(CREATING_SUFFIX) || image.hasMetadata(WRITING)) {
                    ids.add(imageIdOf(name));
                }
            }
        }
        for (String name : stillWithoutHeader(ioctx, headerless)) {
            ids.add(imageIdOf(name));
        }
        return new ArrayList<>(ids);
    }

    private static String imageIdOf(String name) {
        return name.endsWith(CREATING_SUFFIX) ? name.substring(0, name.length() - CREATING_SUFFIX.length()) : name;
    }

    /** A test on an open RBD image. */
    private interface ImageTest {
        boolean test(RbdImage image) throws RbdException;
    }

    /** The names of the pool's RBD images that pass the test (each opened once; one removed meanwhile is skipped). */
    private List<String> imagesWhere(ImageTest test) throws IOException {
        Pointer ioctx = cluster.ioctx(options.pool());
        List<String> found = new ArrayList<>();
        for (String name : list(ioctx)) {
            try (RbdImage image = RbdImage.open(ioctx, options.pool(), name)) {
                if (test.test(image)) {
                    found.add(name);
                }
            } catch (RbdException e) {
                if (e.errno() != RbdException.ENOENT) {
                    throw e;
                }
            }
        }
        return found;
    }

    /**
     * Those of the names the pool listed without an image to open that are still so {@link #HEADERLESS_PATIENCE}
     * later: an image another service is creating this very moment is listed a few milliseconds before its header
     * exists.
     */
    private List<String> stillWithoutHeader(Pointer ioctx, List<String> names) throws IOException {
        if (names.isEmpty()) {
            return names;
        }
        try {
            Thread.sleep(HEADERLESS_PATIENCE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        List<String> listed = list(ioctx);
        List<String> found = new ArrayList<>();
        for (String name : names) {
            if (listed.contains(name) && !opens(ioctx, name)) {
                found.add(name);
            }
        }
        return found;
    }

    private boolean opens(Pointer ioctx, String name) throws RbdException {
        Optional<RbdImage> image = openIfExists(ioctx, options.pool(), name);
        image.ifPresent(RbdImage::close);
        return image.isPresent();
    }

    private List<String> list(Pointer ioctx) throws RbdException {
        LongByReference size = new LongByReference(4096);
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Memory names = new Memory(Math.max(size.getValue(), 1))) {
                long rc = LibRbd.LIB.rbd_list(ioctx, names, size);
                if (rc == -RbdException.ERANGE) {
                    continue;
                }
                RbdException.check(rc, "listing pool " + options.pool());
                List<String> out = new ArrayList<>();
                byte[] all = names.getByteArray(0, (int) rc);
                int start = 0;
                for (int i = 0; i < all.length; i++) {
                    if (all[i] == 0) {
                        if (i > start) {
                            out.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                        }
                        start = i + 1;
                    }
                }
                return out;
            }
        }
        throw new RbdException("listing pool " + options.pool() + " (it kept growing)", -RbdException.ERANGE);
    }

    /** Disconnects from the cluster (tests; Ferry keeps its stores until it exits). */
    public void close() {
        cluster.close();
    }
}
