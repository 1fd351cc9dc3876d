package org.ferry.data;

import java.io.IOException;

/** The data stream broke a size rule: the image size cap, or the size the request declared. */
public final class SizeLimitException extends IOException {
    public enum Kind { CAP_EXCEEDED, DECLARED_SIZE_EXCEEDED, DECLARED_SIZE_MISMATCH }

    private final Kind kind;

    public SizeLimitException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
