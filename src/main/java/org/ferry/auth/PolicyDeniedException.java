package org.ferry.auth;

/** A policy rule refused the caller the action it guards. */
public final class PolicyDeniedException extends RuntimeException {

    private final String rule;

    public PolicyDeniedException(String rule) {
        super("Policy doesn't allow " + rule + " to be performed.");
        this.rule = rule;
    }

    public String rule() {
        return rule;
    }
}
