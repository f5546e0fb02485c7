package dev.executor.contracts.events;

import java.time.Instant;

/**
 * A source and all its tools were removed. Addresses under it stop resolving.
 *
 * @param sourceId   opaque id
 * @param name       its former {@code <source>} segment
 * @param scope      scope it was placed in
 * @param removedBy  the admin who removed it
 * @param occurredAt when it was removed
 */
public record SourceRemoved(
        String sourceId,
        String name,
        ScopeRef scope,
        PrincipalRef removedBy,
        Instant occurredAt) implements CatalogEvent {
}
