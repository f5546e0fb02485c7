package dev.executor.ledger.service;

import dev.executor.contracts.ErrorReasons;

/**
 * A refusal a caller can act on; REST turns it into problem+json, gRPC into a status with the
 * reason trailer. Carries no stack trace.
 */
public final class LedgerException extends RuntimeException {

    public enum Kind { NOT_FOUND, FORBIDDEN, CONFLICT, INVALID }

    private final Kind kind;
    private final String reason;

    public LedgerException(Kind kind, String reason, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.reason = reason;
    }

    public static LedgerException runNotFound(String id) {
        return new LedgerException(Kind.NOT_FOUND, ErrorReasons.RUN_NOT_FOUND, "No run " + id + " is visible to you.");
    }

    public static LedgerException invalid(String message) {
        return new LedgerException(Kind.INVALID, ErrorReasons.INVALID_ARGUMENTS, message);
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }
}
