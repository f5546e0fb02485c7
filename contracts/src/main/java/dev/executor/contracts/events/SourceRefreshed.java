package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A source was re-imported and its manifest changed. Counts rather than tool lists keep the event
 * small for sources with thousands of operations; fetch details over gRPC.
 *
 * @param sourceId                opaque id
 * @param manifestVersion         the new manifest version
 * @param previousManifestVersion the replaced one; null when the source had no manifest yet
 * @param added                   tools new in this manifest (all of them arrive unreviewed)
 * @param changed                 tools whose schema, side effect or binding changed
 * @param retired                 tools no longer in the document
 * @param unreviewed              tools of the source now awaiting review, in total
 * @param occurredAt              when the refresh completed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceRefreshed(
        String sourceId,
        String manifestVersion,
        String previousManifestVersion,
        int added,
        int changed,
        int retired,
        int unreviewed,
        Instant occurredAt) implements CatalogEvent {
}
