package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A source moved to another status, e.g. probing to connected, or connected to error.
 *
 * @param sourceId       opaque id
 * @param previousStatus status before
 * @param status         status now
 * @param statusMessage  why, for a person; null when there is nothing to say
 * @param occurredAt     when it changed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceStatusChanged(
        String sourceId,
        SourceStatus previousStatus,
        SourceStatus status,
        String statusMessage,
        Instant occurredAt) implements CatalogEvent {
}
