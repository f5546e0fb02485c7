package dev.executor.gateway.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.ToolSummary;
import dev.executor.gateway.Caller;
import dev.executor.gateway.client.CatalogClient;
import dev.executor.gateway.config.GatewayConfig;
import dev.executor.gateway.service.TtlCache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Direct mode ({@code /mcp/toolkits/{toolkit}?mode=direct}): the toolkit's own tools listed as
 * MCP tools with the catalog's input and output schemas, plus {@code run_status}. A tool is named
 * by its {@code <tool>} segment when that is unique in the listing (what a model and the MCP
 * conformance suite expect), else by its full address. A {@code tools/call} of such a tool is
 * turned into {@code execute} of its address by the routes, so it takes exactly the same path
 * (invoker, policy, approvals). Listings are reused briefly per scope chain + toolkit (emptied on
 * every catalog or policy event, see {@code messaging.CacheEvents}); at most
 * {@code gateway.direct.max-tools} tools are listed.
 */
@ApplicationScoped
public class DirectTools {

    /** One listing: the MCP tool entries and the address behind each listed name. */
    public record Listing(JsonArray tools, Map<String, String> addresses) {
    }

    private final CatalogClient catalog;
    private final GatewayConfig config;
    private final TtlCache<Listing> cache = new TtlCache<>(10_000);

    public DirectTools(CatalogClient catalog, GatewayConfig config) {
        this.catalog = catalog;
        this.config = config;
    }

    public Uni<JsonArray> list(Caller caller) {
        return listing(caller).map(l -> l.tools().copy());
    }

    /** The address a direct-mode tool name stands for, or null when the listing has no such name. */
    public Uni<String> address(Caller caller, String name) {
        if (name.contains(".")) {
            return Uni.createFrom().item(name);
        }
        return listing(caller).map(l -> l.addresses().get(name));
    }

    Uni<Listing> listing(Caller caller) {
        StringBuilder key = new StringBuilder(caller.toolkit()).append('|');
        caller.principal().getScopeChainList().forEach(s -> key.append(s.getKind()).append(':').append(s.getId()).append(','));
        return cache.get(key.toString(), config.catalog().summaryTtl(), k -> load(caller));
    }

    /** Forgets every listing (the catalog or a policy changed). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    private Uni<Listing> load(Caller caller) {
        int max = config.direct().maxTools();
        return catalog.search(caller.principal(), caller.toolkit(), "", "", max, "").chain(r -> {
            List<Uni<JsonObject>> described = new ArrayList<>();
            for (ToolSummary t : r.getToolsList()) {
                described.add(catalog.describe(caller.principal(), caller.toolkit(), t.getAddress()).map(DirectTools::entry)
                        .onFailure().recoverWithNull());
            }
            Uni<List<JsonObject>> all = described.isEmpty() ? Uni.createFrom().item(List.of())
                    : Uni.join().all(described).andCollectFailures();
            return all.map(entries -> {
                List<JsonObject> found = entries.stream().filter(e -> e != null).limit(max).toList();
                Map<String, Long> shortNames = found.stream().collect(java.util.stream.Collectors.groupingBy(
                        e -> shortName(e.getString("name")), java.util.stream.Collectors.counting()));
                JsonArray out = new JsonArray();
                Map<String, String> addresses = new java.util.HashMap<>();
                for (JsonObject e : found) {
                    String address = e.getString("name");
                    String name = shortName(address);
                    if (shortNames.get(name) > 1 || MetaTools.RUN_STATUS.equals(name)) {
                        name = address;
                    }
                    addresses.put(name, address);
                    out.add(e.put("name", name));
                }
                out.add(MetaTools.runStatusEntry());
                return new Listing(out, Map.copyOf(addresses));
            });
        });
    }

    private static String shortName(String address) {
        return address.substring(address.lastIndexOf('.') + 1);
    }

    private static JsonObject entry(DescribeToolResponse d) {
        var t = d.getTool();
        Object input = MetaTools.schema(t.getInputSchemaJson());
        JsonObject inputSchema = input instanceof JsonObject o && "object".equals(o.getString("type")) ? o
                : new JsonObject().put("type", "object");
        String description = t.getDescription() + (t.getSignature().isEmpty() ? "" : "\nSignature: " + t.getSignature());
        String effect = t.getSideEffect().name().toLowerCase();
        JsonObject entry = new JsonObject().put("name", d.getAddress()).put("title", t.getName()).put("description", description)
                .put("inputSchema", inputSchema)
                .put("annotations", new JsonObject().put("readOnlyHint", "read".equals(effect))
                        .put("destructiveHint", "destructive".equals(effect)).put("openWorldHint", true));
        if (!t.getOutputSchemaJson().isBlank()) {
            Object output = MetaTools.schema(t.getOutputSchemaJson());
            if (output instanceof JsonObject o && "object".equals(o.getString("type"))) {
                entry.put("outputSchema", o);
            }
        }
        return entry;
    }
}
