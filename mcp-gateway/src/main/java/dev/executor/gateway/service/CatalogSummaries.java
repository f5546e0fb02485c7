package dev.executor.gateway.service;

import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.catalog.v1.Source;
import dev.executor.catalog.v1.SourceStatus;
import dev.executor.catalog.v1.ToolSummary;
import dev.executor.common.v1.Principal;
import dev.executor.gateway.client.CatalogClient;
import dev.executor.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;

/**
 * What is behind {@code search} for one principal (and toolkit): its visible sources and how many
 * tools each has, shown in the tool descriptions so an agent knows to look. Computed from
 * {@code CatalogService.ListSources} (or, for a toolkit, from a search narrowed to it) and reused
 * for a short while per scope chain + toolkit. A failure yields an empty summary, never an error.
 * Emptied by {@code messaging.CacheEvents} on every catalog or policy event (a source added, a
 * toolkit changed), so the TTL only bounds staleness while Kafka is unreachable.
 */
@ApplicationScoped
public class CatalogSummaries {

    private static final Logger LOG = Logger.getLogger(CatalogSummaries.class);
    private static final int TOOLKIT_SCAN = 500;

    /** Tools per source name, and the total. */
    public record Summary(Map<String, Integer> toolsBySource, int total, boolean known) {
        static final Summary UNKNOWN = new Summary(Map.of(), 0, false);
    }

    private final CatalogClient catalog;
    private final GatewayConfig config;
    private final TtlCache<Summary> cache = new TtlCache<>(10_000);

    public CatalogSummaries(CatalogClient catalog, GatewayConfig config) {
        this.catalog = catalog;
        this.config = config;
    }

    public Uni<Summary> summary(Principal principal, String toolkit) {
        StringBuilder key = new StringBuilder(toolkit).append('|');
        principal.getScopeChainList().forEach(s -> key.append(s.getKind()).append(':').append(s.getId()).append(','));
        return cache.get(key.toString(), config.catalog().summaryTtl(),
                k -> toolkit.isEmpty() ? fromSources(principal) : fromToolkit(principal, toolkit)).onFailure().recoverWithItem(e -> {
            LOG.debugf("No catalog summary: %s", e.getMessage());
            return Summary.UNKNOWN;
        });
    }

    /** Forgets every summary (the catalog or a policy changed). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    private Uni<Summary> fromSources(Principal principal) {
        return catalog.listSources(principal).map(r -> {
            Map<String, Integer> bySource = new TreeMap<>();
            int total = 0;
            for (Source s : r.getSourcesList()) {
                if (s.getStatus() == SourceStatus.CONNECTED || s.getToolCount() > 0) {
                    bySource.merge(s.getName(), s.getToolCount(), Integer::sum);
                    total += s.getToolCount();
                }
            }
            return new Summary(bySource, total, true);
        });
    }

    private Uni<Summary> fromToolkit(Principal principal, String toolkit) {
        return catalog.search(principal, toolkit, "", "", TOOLKIT_SCAN, "").map(r -> {
            Map<String, Integer> bySource = new TreeMap<>();
            for (ToolSummary t : r.getToolsList()) {
                int dot = t.getAddress().indexOf('.');
                bySource.merge(dot < 0 ? t.getAddress() : t.getAddress().substring(0, dot), 1, Integer::sum);
            }
            return new Summary(bySource, Math.max(r.getTotal(), r.getToolsCount()), true);
        });
    }
}
