package dev.executor.invoker.lane;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A lane could not complete a call. {@code reason} is one of {@code ErrorReasons}
 * ({@code UPSTREAM_ERROR}, {@code UPSTREAM_TIMEOUT}, {@code EGRESS_DENIED},
 * {@code NEEDS_REAUTHORIZATION}, {@code INVALID_ARGUMENTS}, ...); the message is for a person and
 * holds no secret. {@code detail} is optional upstream context safe to show (e.g. the status and
 * the redacted error body of an HTTP 4xx), or null.
 */
public class LaneException extends RuntimeException {

    private final String reason;
    private final transient JsonNode detail;
    private final boolean retryable;

    public LaneException(String reason, String message) {
        this(reason, message, null, false);
    }

    public LaneException(String reason, String message, JsonNode detail, boolean retryable) {
        super(message, null, false, false);
        this.reason = reason;
        this.detail = detail;
        this.retryable = retryable;
    }

    public String reason() {
        return reason;
    }

    public JsonNode detail() {
        return detail;
    }

    /** Whether trying again may succeed (connection refused, 502/503/504); the invoker retries only safe calls. */
    public boolean retryable() {
        return retryable;
    }
}
