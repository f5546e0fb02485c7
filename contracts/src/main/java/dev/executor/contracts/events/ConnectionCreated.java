package dev.executor.contracts.events;

import java.time.Instant;
import java.util.List;

/**
 * A connection was created.
 *
 * @param connectionId opaque id
 * @param connection   its (scope, source, name)
 * @param sourceId     id of the source it belongs to
 * @param credentials  its credential slots (names and provider kinds only)
 * @param createdBy    who created it
 * @param occurredAt   when it was created
 */
public record ConnectionCreated(
        String connectionId,
        ConnectionRef connection,
        String sourceId,
        List<CredentialSlot> credentials,
        PrincipalRef createdBy,
        Instant occurredAt) implements ConnectionEvent {
}
