package dev.executor.contracts.events;

import java.time.Instant;
import java.util.List;

/**
 * An admin reviewed unreviewed tools of a source: accepted ones become executable, rejected ones
 * are retired.
 *
 * @param sourceId        opaque id
 * @param manifestVersion manifest version the review applies to
 * @param accepted        tool names accepted
 * @param rejected        tool names rejected (now retired)
 * @param reviewedBy      the admin
 * @param occurredAt      when the review was saved
 */
public record ToolsReviewed(
        String sourceId,
        String manifestVersion,
        List<String> accepted,
        List<String> rejected,
        PrincipalRef reviewedBy,
        Instant occurredAt) implements CatalogEvent {
}
