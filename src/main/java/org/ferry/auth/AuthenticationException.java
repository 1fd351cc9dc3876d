package org.ferry.auth;

/** A token that is missing, unknown or expired (401), or an identity service that cannot answer (503). */
public final class AuthenticationException extends RuntimeException {
    private final boolean unavailable;

    public AuthenticationException(String message, boolean unavailable) {
        super(message);
        this.unavailable = unavailable;
    }

    public boolean identityServiceUnavailable() {
        return unavailable;
    }
}
