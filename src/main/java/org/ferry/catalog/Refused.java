package org.ferry.catalog;

/**
 * An operation (an import, a replication run) refused before it started, with the HTTP status the API answers and
 * Glance's message. It lives here, the lowest package both the import flow and replication use, so neither needs the
 * other (nor the HTTP toolkit) to say "no".
 */
public final class Refused extends Exception {
    private final int status;

    public Refused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
