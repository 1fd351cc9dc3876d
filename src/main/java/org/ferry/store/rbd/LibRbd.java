package org.ferry.store.rbd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The librbd calls the rbd store needs, bound through JNA to Debian's {@code librbd.so.1}. Unlike the
 * {@code com.ceph:rados} binding it has asynchronous writes and reads, flush, clone3, deep copy and metadata, takes
 * native buffers (no copy of a {@code byte[]} per call) and {@code long} sizes. Calls return 0 (or a byte count)
 * or a negative errno.
 */
interface LibRbd extends Library {
    LibRbd LIB = Native.load("rbd", LibRbd.class);

    /** {@code rbd_image_options_set_uint64} keys (librbd.h). */
    int OPTION_FEATURES = 1;
    int OPTION_ORDER = 2;

    void rbd_image_options_create(PointerByReference opts);

    void rbd_image_options_destroy(Pointer opts);

    int rbd_image_options_set_uint64(Pointer opts, int option, long value);

    int rbd_create4(Pointer ioctx, String name, long size, Pointer opts);

    int rbd_open(Pointer ioctx, String name, PointerByReference image, String snapName);

    int rbd_open_read_only(Pointer ioctx, String name, PointerByReference image, String snapName);

    int rbd_close(Pointer image);

    int rbd_remove(Pointer ioctx, String name);

    /** Renames an image (not open anywhere) within one pool; its header, metadata and snapshots stay as they are. */
    int rbd_rename(Pointer ioctx, String srcName, String destName);

    /** Image names, each NUL-terminated, into {@code names}; -ERANGE with the size needed in {@code size}. */
    int rbd_list(Pointer ioctx, Pointer names, LongByReference size);

    int rbd_get_size(Pointer image, LongByReference size);

    int rbd_resize(Pointer image, long size);

    long rbd_read(Pointer image, long offset, long length, Pointer buf);

    int rbd_aio_create_completion(Pointer callbackArg, Pointer callback, PointerByReference completion);

    int rbd_aio_write(Pointer image, long offset, long length, Pointer buf, Pointer completion);

    int rbd_aio_read(Pointer image, long offset, long length, Pointer buf, Pointer completion);

    int rbd_aio_wait_for_complete(Pointer completion);

    long rbd_aio_get_return_value(Pointer completion);

    void rbd_aio_release(Pointer completion);

    int rbd_flush(Pointer image);

    int rbd_snap_create(Pointer image, String snapName);

    int rbd_snap_protect(Pointer image, String snapName);

    int rbd_snap_unprotect(Pointer image, String snapName);

    int rbd_snap_remove(Pointer image, String snapName);

    int rbd_snap_is_protected(Pointer image, String snapName, IntByReference isProtected);

    /** {@code RBD_OPERATION_FEATURE_CLONE_PARENT}: the image has clones (clone v2, the kind Ceph makes since Mimic). */
    long OP_FEATURE_CLONE_PARENT = 1;

    int rbd_get_op_features(Pointer image, LongByReference opFeatures);

    int rbd_clone3(Pointer parentIoctx, String parentName, String parentSnap, Pointer childIoctx, String childName,
                   Pointer opts);

    int rbd_flatten(Pointer image);

    /**
     * The clones of the snapshot the image is open at, into {@code images} (an array of {@code *maxImages}
     * {@link LinkedImageSpec}s, or null to ask for the count: -ERANGE with the count in {@code maxImages}). Needs
     * read access to every pool a clone lives in (-EPERM otherwise).
     */
    int rbd_list_children3(Pointer image, Pointer images, LongByReference maxImages);

    void rbd_linked_image_spec_list_cleanup(Pointer images, long count);

    /** {@code rbd_linked_image_spec_t}: where a clone (or a parent) lives. */
    @Structure.FieldOrder({"pool_id", "pool_name", "pool_namespace", "image_id", "image_name", "trash"})
    class LinkedImageSpec extends Structure {
        public long pool_id;
        public String pool_name;
        public String pool_namespace;
        public String image_id;
        public String image_name;
        public byte trash;

        public LinkedImageSpec() {
        }

        public LinkedImageSpec(Pointer p) {
            super(p);
            read();
        }
    }

    int rbd_deep_copy(Pointer sourceImage, Pointer destIoctx, String destName, Pointer opts);

    int rbd_metadata_set(Pointer image, String key, String value);

    int rbd_metadata_remove(Pointer image, String key);

    /** -ENOENT when the key is absent; -ERANGE with the length needed in {@code valueLen}. */
    int rbd_metadata_get(Pointer image, String key, Pointer value, LongByReference valueLen);
}
