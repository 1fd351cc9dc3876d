package org.ferry.store.rbd;

import java.io.IOException;
import java.util.Map;

/** A librados or librbd call that failed: what was being done, and the errno it answered. */
final class RbdException extends IOException {
    static final int ENOENT = 2;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ERANGE = 34;
    static final int EINVAL = 22;
    static final int EPERM = 1;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM, operation not permitted"), Map.entry(ENOENT, "ENOENT, no such image or snapshot"),
            Map.entry(5, "EIO, input/output error"), Map.entry(13, "EACCES, permission denied (check the keyring "
                    + "and the user's caps)"), Map.entry(EBUSY, "EBUSY, in use"),
            Map.entry(EEXIST, "EEXIST, already exists"), Map.entry(22, "EINVAL, invalid argument"),
            Map.entry(28, "ENOSPC, the cluster is full"), Map.entry(ERANGE, "ERANGE, result too large"),
            Map.entry(39, "ENOTEMPTY, not empty"), Map.entry(110, "ETIMEDOUT, timed out"),
            Map.entry(122, "EDQUOT, quota exceeded"));

    private final int errno;

    RbdException(String what, long rc) {
        super(what + " failed: " + NAMES.getOrDefault((int) -rc, "errno " + -rc));
        this.errno = (int) -rc;
    }

    int errno() {
        return errno;
    }

    /** Throws when {@code rc} is a negative errno; returns it otherwise (a byte count or 0). */
    static long check(long rc, String what) throws RbdException {
        if (rc < 0) {
            throw new RbdException(what, rc);
        }
        return rc;
    }
}
