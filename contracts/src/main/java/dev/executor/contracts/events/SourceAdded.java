package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A source was imported.
 *
 * @param sourceId        opaque id
 * @param name            the {@code <source>} segment of addresses
 * @param kind            "openapi", "graphql", "mcp", "cli" or a plugin kind
 * @param scope           scope the source is placed in
 * @param status          status right after the import
 * @param declaredHosts   hosts the source's tools may call
 * @param manifestVersion version of the imported manifest; null until the first manifest exists
 * @param toolCount       tools in the manifest
 * @param addedBy         the admin who added it
 * @param occurredAt      when it was added
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceAdded(
        String sourceId,
        String name,
        String kind,
        ScopeRef scope,
        SourceStatus status,
        List<String> declaredHosts,
        String manifestVersion,
        int toolCount,
        PrincipalRef addedBy,
        Instant occurredAt) implements CatalogEvent {
}
