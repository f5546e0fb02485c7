package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The upstream rejected the connection's credential, or it expired: a human must re-authorize it.
 * Calls through it fail with {@code NEEDS_REAUTHORIZATION} until then.
 *
 * @param connectionId opaque id
 * @param connection   its (scope, source, name)
 * @param reason       what happened, for a person, e.g. "upstream answered 401"; no secret values
 * @param runId        the Run that found out; null when detected otherwise (e.g. token refresh)
 * @param occurredAt   when it was detected
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionNeedsReauth(
        String connectionId,
        ConnectionRef connection,
        String reason,
        String runId,
        Instant occurredAt) implements ConnectionEvent {
}
