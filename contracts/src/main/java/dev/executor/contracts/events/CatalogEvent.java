package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Changes to sources and their tools, on {@code executor.catalog.events}. Emitted by
 * catalog-service; consumed by caches (invoker, gateway) which invalidate per source.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SourceAdded.class, name = "SourceAdded"),
    @JsonSubTypes.Type(value = SourceRefreshed.class, name = "SourceRefreshed"),
    @JsonSubTypes.Type(value = SourceStatusChanged.class, name = "SourceStatusChanged"),
    @JsonSubTypes.Type(value = SourceRemoved.class, name = "SourceRemoved"),
    @JsonSubTypes.Type(value = ToolsReviewed.class, name = "ToolsReviewed")
})
public sealed interface CatalogEvent extends ExecutorEvent
        permits SourceAdded, SourceRefreshed, SourceStatusChanged, SourceRemoved, ToolsReviewed {

    /** The source's opaque id. */
    String sourceId();

    Instant occurredAt();

    /** Keyed by source id. */
    @Override
    default String key() {
        return sourceId();
    }
}
