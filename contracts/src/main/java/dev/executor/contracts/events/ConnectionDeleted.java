package dev.executor.contracts.events;

import java.time.Instant;

/**
 * A connection was deleted; addresses through it stop resolving.
 *
 * @param connectionId opaque id
 * @param connection   its former (scope, source, name)
 * @param deletedBy    who deleted it
 * @param occurredAt   when it was deleted
 */
public record ConnectionDeleted(
        String connectionId,
        ConnectionRef connection,
        PrincipalRef deletedBy,
        Instant occurredAt) implements ConnectionEvent {
}
