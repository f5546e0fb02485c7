package dev.executor.contracts.events;

/**
 * Why a Run did not succeed.
 *
 * @param reason  one of {@link dev.executor.contracts.ErrorReasons}
 * @param message what went wrong, for a person; never a secret or a stack trace
 */
public record ErrorInfo(String reason, String message) {
}
