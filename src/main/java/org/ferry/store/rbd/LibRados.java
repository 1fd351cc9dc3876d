package org.ferry.store.rbd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few librados calls the rbd store needs, bound through JNA to Debian's {@code librados.so.2} (no -dev package
 * needed). Sizes are {@code long} ({@code size_t} on 64-bit Linux); every call returns 0 or a negative errno.
 */
interface LibRados extends Library {
    LibRados LIB = Native.load("rados", LibRados.class);

    int rados_create2(PointerByReference cluster, String clusterName, String name, long flags);

    int rados_conf_read_file(Pointer cluster, String path);

    int rados_conf_set(Pointer cluster, String option, String value);

    /** The value of a configuration option as a NUL-terminated string in {@code buf}. */
    int rados_conf_get(Pointer cluster, String option, byte[] buf, long len);

    int rados_connect(Pointer cluster);

    void rados_shutdown(Pointer cluster);

    /** Writes the fsid (36 characters and a NUL) into {@code buf}; returns its length or a negative errno. */
    int rados_cluster_fsid(Pointer cluster, byte[] buf, long len);

    int rados_ioctx_create(Pointer cluster, String pool, PointerByReference ioctx);

    void rados_ioctx_destroy(Pointer ioctx);
}
