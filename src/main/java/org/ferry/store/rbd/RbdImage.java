package org.ferry.store.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.ArrayList;
import java.util.List;

/** An open RBD image (or one snapshot of it, read-only); closed exactly once. */
final class RbdImage implements AutoCloseable {
    private final Pointer handle;
    private final String name;
    private boolean closed;

    private RbdImage(Pointer handle, String name) {
        this.handle = handle;
        this.name = name;
    }

    static RbdImage open(Pointer ioctx, String pool, String name) throws RbdException {
        PointerByReference ref = new PointerByReference();
        RbdException.check(LibRbd.LIB.rbd_open(ioctx, name, ref, null), "opening RBD image " + pool + "/" + name);
        return new RbdImage(ref.getValue(), pool + "/" + name);
    }

    static RbdImage openSnapshot(Pointer ioctx, String pool, String name, String snapshot) throws RbdException {
        PointerByReference ref = new PointerByReference();
        RbdException.check(LibRbd.LIB.rbd_open_read_only(ioctx, name, ref, snapshot),
                "opening RBD snapshot " + pool + "/" + name + "@" + snapshot);
        return new RbdImage(ref.getValue(), pool + "/" + name + "@" + snapshot);
    }

    Pointer handle() {
        return handle;
    }

    String name() {
        return name;
    }

    long size() throws RbdException {
        LongByReference size = new LongByReference();
        RbdException.check(LibRbd.LIB.rbd_get_size(handle, size), "reading the size of " + name);
        return size.getValue();
    }

    void resize(long size) throws RbdException {
        RbdException.check(LibRbd.LIB.rbd_resize(handle, size), "resizing " + name + " to " + size + " bytes");
    }

    void flush() throws RbdException {
        RbdException.check(LibRbd.LIB.rbd_flush(handle), "flushing " + name);
    }

    void createProtectedSnapshot(String snapshot) throws RbdException {
        RbdException.check(LibRbd.LIB.rbd_snap_create(handle, snapshot), "creating snapshot " + name + "@" + snapshot);
        RbdException.check(LibRbd.LIB.rbd_snap_protect(handle, snapshot), "protecting snapshot " + name + "@" + snapshot);
    }

    boolean isProtected(String snapshot) throws RbdException {
        IntByReference p = new IntByReference();
        RbdException.check(LibRbd.LIB.rbd_snap_is_protected(handle, snapshot, p), "looking at snapshot " + name + "@"
                + snapshot);
        return p.getValue() != 0;
    }

    /** Unprotects (EBUSY while the snapshot has clones) and removes a snapshot; absent is fine. */
    void removeSnapshot(String snapshot) throws RbdException {
        long rc = LibRbd.LIB.rbd_snap_unprotect(handle, snapshot);
        if (rc == -RbdException.ENOENT) {
            return;
        }
        if (rc < 0 && rc != -RbdException.EINVAL) { // the snapshot was not protected
            throw new RbdException("unprotecting snapshot " + name + "@" + snapshot, rc);
        }
        rc = LibRbd.LIB.rbd_snap_remove(handle, snapshot);
        if (rc < 0 && rc != -RbdException.ENOENT) {
            throw new RbdException("removing snapshot " + name + "@" + snapshot, rc);
        }
    }

    /**
     * Whether the image has clones (a volume or a server made from one of its snapshots). Read from the image's own
     * header, so Glance's user needs no access to the pools the clones live in; clone v2 snapshots can be unprotected
     * and removed even while they have clones (they then move to the snapshot trash), so unprotecting is no test.
     */
    boolean hasClones() throws RbdException {
        LongByReference f = new LongByReference();
        RbdException.check(LibRbd.LIB.rbd_get_op_features(handle, f), "reading the operation features of " + name);
        return (f.getValue() & LibRbd.OP_FEATURE_CLONE_PARENT) != 0;
    }

    void setMetadata(String key, String value) throws RbdException {
        RbdException.check(LibRbd.LIB.rbd_metadata_set(handle, key, value), "setting metadata " + key + " on " + name);
    }

    void removeMetadata(String key) throws RbdException {
        long rc = LibRbd.LIB.rbd_metadata_remove(handle, key);
        if (rc < 0 && rc != -RbdException.ENOENT) {
            throw new RbdException("removing metadata " + key + " from " + name, rc);
        }
    }

    boolean hasMetadata(String key) throws RbdException {
        LongByReference len = new LongByReference(0);
        long rc = LibRbd.LIB.rbd_metadata_get(handle, key, Pointer.NULL, len);
        if (rc == -RbdException.ENOENT) {
            return false;
        }
        if (rc == -RbdException.ERANGE || rc >= 0) {
            return true;
        }
        throw new RbdException("reading metadata " + key + " of " + name, rc);
    }

    /**
     * Copies the data the image still shares with its parent into the image, so it no longer depends on it; an image
     * without a parent (any more: EINVAL) is fine.
     */
    void flatten() throws RbdException {
        long rc = LibRbd.LIB.rbd_flatten(handle);
        if (rc != -RbdException.EINVAL) {
            RbdException.check(rc, "flattening " + name);
        }
    }

    /** A clone: the pool and name of an RBD image made from a snapshot of this one. */
    record Clone(String pool, String image, boolean trash) {
    }

    /**
     * The clones of the snapshot this image is open at ({@link #openSnapshot}), clones in the trash included.
     *
     * @throws RbdException EPERM when a clone lives in a pool this user cannot read (a Cinder volume)
     */
    List<Clone> clones() throws RbdException {
        int specSize = new LibRbd.LinkedImageSpec().size();
        LongByReference count = new LongByReference(0);
        for (int attempt = 0; attempt < 5; attempt++) {
            long n = count.getValue();
            try (Memory specs = n == 0 ? null : new Memory(n * specSize)) {
                long rc = LibRbd.LIB.rbd_list_children3(handle, specs, count);
                if (rc == -RbdException.ERANGE) {
                    continue;
                }
                RbdException.check(rc, "listing the clones of " + name);
                List<Clone> out = new ArrayList<>();
                for (int i = 0; i < count.getValue(); i++) {
                    LibRbd.LinkedImageSpec spec = new LibRbd.LinkedImageSpec(specs.share((long) i * specSize));
                    out.add(new Clone(spec.pool_name, spec.image_name, spec.trash != 0));
                }
                if (count.getValue() > 0) {
                    LibRbd.LIB.rbd_linked_image_spec_list_cleanup(specs, count.getValue());
                }
                return out;
            }
        }
        throw new RbdException("listing the clones of " + name + " (their number kept changing)", -RbdException.ERANGE);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibRbd.LIB.rbd_close(handle);
        }
    }
}
