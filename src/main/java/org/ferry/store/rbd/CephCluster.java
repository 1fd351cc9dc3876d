package org.ferry.store.rbd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection to one Ceph cluster as one user (rbd_store_user, rbd_store_ceph_conf), with an I/O context per pool.
 * It connects on first use, not when Ferry starts, so Ferry comes up (and serves its other stores) while a cluster
 * is down; a failed connection is retried by the next call. librados handles are thread-safe.
 */
final class CephCluster implements AutoCloseable {
    private final String confFile;
    private final String user;
    private final int connectTimeoutSeconds;
    private Pointer handle;
    private String fsid;
    private final Map<String, Pointer> ioctxs = new ConcurrentHashMap<>();

    /**
     * @param connectTimeoutSeconds rados_connect_timeout; 0 keeps librados' own timeouts
     */
    CephCluster(String confFile, String user, int connectTimeoutSeconds) {
        this.confFile = confFile;
        this.user = user;
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    /**
     * The stack of the thread that connects. Loading libceph-common and creating the first handle builds Ceph's table
     * of configuration options in one stack frame of over half a MiB: on a Java thread of Ferry's -Xss512k
     * (conf/jvm.options) that overflowed and the JVM died (SIGSEGV in Option::Option).
     */
    static final long CONNECT_STACK_BYTES = 16L << 20;

    /**
     * librbd options Ferry sets over ceph.conf's, because it only ever streams whole images: no librbd cache (each
     * write would be copied into it, and Ferry reads ahead itself), and writes straight from Ferry's buffers, which
     * {@link RbdImageWriter} never touches until their write has completed. Together they keep a copy of every write
     * in flight out of memory: 28 MiB less peak RSS per import with 8 MiB chunks, at the same speed (scripts/bench/rbd.sh).
     * Either alone saves nothing, and zero-copy writes with the cache on would let it keep Ferry's buffers.
     */
    static final Map<String, String> STREAMING_OPTIONS = Map.of("rbd_cache", "false",
            "rbd_disable_zero_copy_writes", "false");

    /** The connected cluster handle, connecting now if needed (on a thread of {@link #CONNECT_STACK_BYTES}). */
    synchronized Pointer handle() throws RbdException {
        if (handle != null) {
            return handle;
        }
        FutureTask<Pointer> connecting = new FutureTask<>(this::connect);
        new Thread(null, connecting, "ferry-ceph-connect", CONNECT_STACK_BYTES).start();
        try {
            handle = connecting.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RbdException("connecting to the Ceph cluster (interrupted)", -4);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RbdException r) {
                throw r;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e.getCause();
        }
        return handle;
    }

    private Pointer connect() throws RbdException {
        Objects.requireNonNull(LibRbd.LIB); // loads librbd (and libceph-common) on this thread's stack too
        PointerByReference ref = new PointerByReference();
        RbdException.check(LibRados.LIB.rados_create2(ref, "ceph", "client." + user, 0),
                "creating a Ceph handle for client." + user);
        Pointer h = ref.getValue();
        try {
            if (!confFile.isEmpty()) {
                RbdException.check(LibRados.LIB.rados_conf_read_file(h, confFile), "reading " + confFile);
            }
            if (connectTimeoutSeconds > 0) {
                String t = Integer.toString(connectTimeoutSeconds);
                RbdException.check(LibRados.LIB.rados_conf_set(h, "client_mount_timeout", t), "setting timeouts");
                RbdException.check(LibRados.LIB.rados_conf_set(h, "rados_mon_op_timeout", t), "setting timeouts");
                RbdException.check(LibRados.LIB.rados_conf_set(h, "rados_osd_op_timeout", t), "setting timeouts");
            }
            for (Map.Entry<String, String> o : STREAMING_OPTIONS.entrySet()) {
                RbdException.check(LibRados.LIB.rados_conf_set(h, o.getKey(), o.getValue()), "setting " + o.getKey());
            }
            RbdException.check(LibRados.LIB.rados_connect(h), "connecting to the Ceph cluster of "
                    + (confFile.isEmpty() ? "the default ceph.conf" : confFile) + " as client." + user);
            byte[] buf = new byte[64];
            int n = (int) RbdException.check(LibRados.LIB.rados_cluster_fsid(h, buf, buf.length), "reading the fsid");
            fsid = new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        } catch (RbdException e) {
            LibRados.LIB.rados_shutdown(h);
            throw e;
        }
        return h;
    }

    /** The cluster's fsid, the first part of every rbd:// location; connects if needed. */
    String fsid() throws RbdException {
        handle();
        return fsid;
    }

    /** The value of a Ceph option on this connection, as librados will use it; connects if needed. */
    String option(String name) throws RbdException {
        Pointer h = handle();
        byte[] buf = new byte[256];
        RbdException.check(LibRados.LIB.rados_conf_get(h, name, buf, buf.length), "reading option " + name);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** The I/O context of a pool, opened once. */
    Pointer ioctx(String pool) throws RbdException {
        Pointer existing = ioctxs.get(pool);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            existing = ioctxs.get(pool);
            if (existing != null) {
                return existing;
            }
            Pointer cluster = handle(); // first: LibRados must not be loaded on this thread (see CONNECT_STACK_BYTES)
            PointerByReference ref = new PointerByReference();
            RbdException.check(LibRados.LIB.rados_ioctx_create(cluster, pool, ref), "opening pool " + pool);
            ioctxs.put(pool, ref.getValue());
            return ref.getValue();
        }
    }

    @Override
    public synchronized void close() {
        if (handle == null) { // never connected: nothing to release, and nothing native to load
            return;
        }
        ioctxs.values().forEach(LibRados.LIB::rados_ioctx_destroy);
        ioctxs.clear();
        if (handle != null) {
            LibRados.LIB.rados_shutdown(handle);
            handle = null;
        }
    }
}
