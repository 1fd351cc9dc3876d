package org.ferry.remote;

import java.io.IOException;

/** A remote request that failed in a way worth telling the user exactly (status, filtering, endpoint). */
public final class RemoteFailure extends IOException {
    public RemoteFailure(String message) {
        super(message);
    }

    public RemoteFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
