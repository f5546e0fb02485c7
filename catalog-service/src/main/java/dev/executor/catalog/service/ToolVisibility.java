package dev.executor.catalog.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.client.PolicyClient;
import dev.executor.catalog.persistence.CatalogStore;
import dev.executor.catalog.service.CatalogService.ToolView;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.contracts.ErrorReasons;
import io.smallrye.mutiny.Uni;

/**
 * Search and describe as one principal sees them: what the scope chain reaches, then narrowed by
 * {@code PolicyService.FilterVisible} (placement, toolkit, review state). Authority only narrows:
 * the catalog's own scope-chain check and policy's answer are intersected.
 *
 * <ul>
 * <li><b>Search</b>: every ranked hit of the sources in the chain is expanded into one address per
 * connection of its source placed in the chain; all of those candidates are filtered by policy (in
 * batches), then paged. {@code total} counts visible addresses only, so no page count reveals a
 * hidden tool.</li>
 * <li><b>Describe</b>: a hidden address (outside the chain or the toolkit, hidden by policy,
 * unreviewed, retired) is answered exactly like an unknown one: {@code TOOL_NOT_FOUND}, the same
 * message, and suggestions drawn only from addresses the principal may see. Answering
 * {@code NOT_VISIBLE} would confirm that the address exists, an oracle for probing other scopes'
 * sources and connections. Execute still refuses such a tool with policy's own reason (the invoker
 * asks {@code Decide}).</li>
 * <li>When policy cannot answer, both fail with {@code UNAVAILABLE}; nothing is shown unfiltered.</li>
 * </ul>
 */
@ApplicationScoped
public class ToolVisibility {

    private static final Logger LOG = Logger.getLogger(ToolVisibility.class);
    private static final int SUGGESTIONS = 3;

    /** One visible hit. */
    public record VisibleHit(String address, SearchIndex.Hit hit) {
    }

    /** One page of visible hits; {@code total} counts visible addresses only. */
    public record Page(List<VisibleHit> hits, int total, boolean more) {
    }

    private final CatalogService catalog;
    private final CatalogStore store;
    private final PolicyClient policy;

    public ToolVisibility(CatalogService catalog, CatalogStore store, PolicyClient policy) {
        this.catalog = catalog;
        this.store = store;
        this.policy = policy;
    }

    /** What the scope chain reaches: address prefixes per source name, and the ids of reachable sources. */
    private record Reach(Map<String, List<String>> prefixes, Set<String> sourceIds) {
    }

    public Uni<Page> search(Principal principal, String toolkit, String query, String source, SideEffect effect, int offset, int size) {
        return reach(principal).chain(reach -> catalog.search(query, source, effect, e -> reach.sourceIds().contains(e.sourceId()), 0,
                Integer.MAX_VALUE).chain(result -> {
                    List<String> candidates = new ArrayList<>();
                    Map<String, SearchIndex.Hit> byAddress = new HashMap<>();
                    for (SearchIndex.Hit hit : result.hits()) {
                        for (String prefix : reach.prefixes().getOrDefault(hit.entry().sourceName(), List.of())) {
                            String address = prefix + hit.entry().name();
                            candidates.add(address);
                            byAddress.put(address, hit);
                        }
                    }
                    // Only accepted tools are indexed: say so, so that policy applies the same review rule.
                    Map<String, ReviewState> states = new HashMap<>();
                    candidates.forEach(a -> states.put(a, ReviewState.ACCEPTED));
                    return policy.filterVisible(principal, toolkit, candidates, states).map(v -> {
                        List<VisibleHit> page = v.visible().stream().skip(offset).limit(size)
                                .map(a -> new VisibleHit(a, byAddress.get(a))).toList();
                        return new Page(page, v.visible().size(), (long) offset + size < v.visible().size());
                    });
                }));
    }

    /**
     * The tool at {@code address} if {@code principal} may see it under {@code toolkit}; otherwise
     * {@code TOOL_NOT_FOUND} with visible close matches (see the class comment).
     */
    public Uni<ToolView> describe(Principal principal, String toolkit, String address) {
        String[] parts = address == null ? new String[0] : address.split("\\.", -1);
        if (parts.length != 4) {
            return Uni.createFrom().failure(new CatalogException(ErrorReasons.TOOL_NOT_FOUND, "'" + address
                    + "' is not a tool address: expected <source>.<scope>.<connection>.<tool>, e.g. github.acme.work.issues_create."));
        }
        return reach(principal).chain(reach -> catalog.describe(address)
                .onFailure(CatalogException.class).recoverWithItem(e -> {
                    if (!ErrorReasons.TOOL_NOT_FOUND.equals(((CatalogException) e).reason())) {
                        throw (CatalogException) e;
                    }
                    return null;
                })
                .chain(view -> {
                    String prefix = parts[0] + "." + parts[1] + "." + parts[2] + ".";
                    boolean reachable = view != null && reach.sourceIds().contains(view.source().id().toString())
                            && reach.prefixes().getOrDefault(parts[0], List.of()).contains(prefix);
                    if (!reachable) {
                        return notFound(principal, toolkit, reach, address, parts);
                    }
                    ReviewState state = switch (view.tool().reviewState()) {
                        case "accepted" -> ReviewState.ACCEPTED;
                        case "unreviewed" -> ReviewState.UNREVIEWED;
                        default -> ReviewState.RETIRED;
                    };
                    return policy.filterVisible(principal, toolkit, List.of(address), Map.of(address, state)).chain(v -> {
                        if (v.visible().contains(address)) {
                            return Uni.createFrom().item(view);
                        }
                        LOG.debugf("describe of %s hidden by policy: %s", address, v.hidden().get(address));
                        return notFound(principal, toolkit, reach, address, parts);
                    });
                }));
    }

    /** TOOL_NOT_FOUND, worded the same whether the address is unknown or hidden; suggestions are visible addresses. */
    private Uni<ToolView> notFound(Principal principal, String toolkit, Reach reach, String address, String[] parts) {
        return catalog.ensureIndexed().chain(() -> {
            List<String> candidates = suggestionCandidates(reach, parts);
            Map<String, ReviewState> states = new HashMap<>();
            candidates.forEach(a -> states.put(a, ReviewState.ACCEPTED));
            return policy.filterVisible(principal, toolkit, candidates, states);
        }).map(v -> {
            throw new CatalogException(ErrorReasons.TOOL_NOT_FOUND, "No tool '" + address
                    + "' that you can see. Check the address (<source>.<scope>.<connection>.<tool>) or search for the tool.",
                    v.visible().stream().limit(SUGGESTIONS).toList());
        });
    }

    /** Close matches among the addresses the chain reaches: same-prefix names by edit distance, then search. */
    private List<String> suggestionCandidates(Reach reach, String[] parts) {
        String toolName = parts[3];
        Set<String> out = new LinkedHashSet<>();
        SearchIndex index = catalog.index();
        String prefix = parts[0] + "." + parts[1] + "." + parts[2] + ".";
        if (reach.prefixes().getOrDefault(parts[0], List.of()).contains(prefix)) {
            List<String> names = new ArrayList<>();
            for (String id : reach.sourceIds()) {
                for (SearchIndex.Entry e : index.entries(id)) {
                    if (e.sourceName().equals(parts[0])) {
                        names.add(e.name());
                    }
                }
            }
            Suggestions.closest(toolName, names, SUGGESTIONS * 2).forEach(n -> out.add(prefix + n));
        }
        if (out.size() < SUGGESTIONS * 2 && !toolName.isBlank()) {
            for (SearchIndex.Hit h : index.search(toolName.replace('_', ' '), e -> reach.sourceIds().contains(e.sourceId()), 0,
                    SUGGESTIONS * 2).hits()) {
                for (String p : reach.prefixes().getOrDefault(h.entry().sourceName(), List.of())) {
                    out.add(p + h.entry().name());
                }
            }
        }
        return new ArrayList<>(out);
    }

    private Uni<Reach> reach(Principal principal) {
        Set<String> chain = new HashSet<>();
        principal.getScopeChainList().forEach(s -> chain.add(s.getKind() + ":" + s.getId()));
        return Uni.combine().all().unis(store.connections(), store.listSources()).asTuple().map(t -> {
            Map<String, List<String>> prefixes = new HashMap<>();
            for (String[] c : t.getItem1()) {
                if (chain.contains(c[1] + ":" + c[2])) {
                    prefixes.computeIfAbsent(c[0], k -> new ArrayList<>()).add(c[0] + "." + c[2] + "." + c[3] + ".");
                }
            }
            Set<String> sourceIds = new HashSet<>();
            for (CatalogStore.SourceRow v : t.getItem2()) {
                if (chain.contains(v.scope()) && prefixes.containsKey(v.name())) {
                    sourceIds.add(v.id().toString());
                }
            }
            return new Reach(prefixes, sourceIds);
        });
    }
}
