package dev.executor.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.gateway.mcp.DirectTools;
import dev.executor.gateway.mcp.Execution;
import dev.executor.gateway.service.CatalogSummaries;

/**
 * Empties this replica's caches when what they were computed from changes, so a change reaches
 * agents within about a second instead of after the caches' TTLs:
 * <ul>
 * <li>{@value Topics#POLICY_EVENTS} ({@code PolicyChanged}, {@code ToolkitChanged}): the
 * {@code search} summaries and the direct-mode listings (toolkit membership, visibility);</li>
 * <li>{@value Topics#CATALOG_EVENTS} ({@code SourceAdded}, {@code SourceRefreshed},
 * {@code SourceRemoved}, {@code SourceStatusChanged}, {@code ToolsReviewed}): those two and the
 * remembered tool facts (output schema, source kind).</li>
 * </ul>
 * Scope chains are not touched: {@code ResolveScopes} derives them from token claims alone.
 *
 * <p>Every replica must see every event, so each reads in a consumer group of its own
 * ({@code gateway-cache-<quarkus.uuid>}) from the latest offset: older events describe data the
 * caches were never filled from. Any record empties the caches, whatever its type, even one that
 * cannot be read (a spurious refill costs one downstream call; a missed change would last a TTL).
 * When Kafka is unreachable the caches simply expire by their TTLs; serving never depends on it.
 */
@ApplicationScoped
public class CacheEvents {

    private static final Logger LOG = Logger.getLogger(CacheEvents.class);

    private final CatalogSummaries summaries;
    private final DirectTools directTools;
    private final Execution execution;
    private final ObjectMapper mapper;

    public CacheEvents(CatalogSummaries summaries, DirectTools directTools, Execution execution, ObjectMapper mapper) {
        this.summaries = summaries;
        this.directTools = directTools;
        this.execution = execution;
        this.mapper = mapper;
    }

    @Incoming("policy-events")
    public void onPolicyEvent(String value) {
        summaries.invalidateAll();
        directTools.invalidateAll();
        LOG.debugf("%s: search summaries and direct-mode listings emptied", type(value));
    }

    @Incoming("catalog-events")
    public void onCatalogEvent(String value) {
        summaries.invalidateAll();
        directTools.invalidateAll();
        execution.invalidateToolFacts();
        LOG.debugf("%s: search summaries, direct-mode listings and tool facts emptied", type(value));
    }

    /** The payload type of a structured CloudEvent ({@code data.type}), for the log only. */
    private String type(String value) {
        if (!LOG.isDebugEnabled()) {
            return "";
        }
        try {
            JsonNode event = mapper.readTree(value == null ? "" : value);
            return event == null ? "unreadable event" : event.path("data").path("type").asText(event.path("type").asText("event"));
        } catch (Exception e) {
            return "unreadable event";
        }
    }
}
