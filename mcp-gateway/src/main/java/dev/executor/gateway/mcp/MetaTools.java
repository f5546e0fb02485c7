package dev.executor.gateway.mcp;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.executor.catalog.v1.DescribeToolResponse;
import dev.executor.catalog.v1.SearchToolsResponse;
import dev.executor.catalog.v1.Tool;
import dev.executor.contracts.ErrorReasons;
import dev.executor.gateway.Caller;
import dev.executor.gateway.client.CatalogClient;
import dev.executor.gateway.client.DownstreamError;
import dev.executor.gateway.config.GatewayConfig;
import dev.executor.gateway.service.CatalogSummaries;
import dev.executor.gateway.service.RunWaiter;
import dev.executor.gateway.service.Visibility;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolManager.ToolArguments;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The four meta-tools every endpoint offers: {@code search}, {@code describe}, {@code execute} and
 * {@code run_status}. They are registered once with the Quarkus MCP {@link ToolManager} (which
 * dispatches {@code tools/call}); {@code tools/list} is answered per request by
 * {@link #list(Caller)} because the descriptions name the sources and tool counts <em>this</em>
 * principal and toolkit can see, which a global registry cannot do without leaking one tenant's
 * catalog to another.
 */
@ApplicationScoped
public class MetaTools {

    private static final Logger LOG = Logger.getLogger(MetaTools.class);

    public static final String SEARCH = "search";
    public static final String DESCRIBE = "describe";
    public static final String EXECUTE = "execute";
    public static final String RUN_STATUS = "run_status";

    private static final int SEARCH_DEFAULT = 10;
    private static final int SEARCH_MAX = 50;
    private static final int RUN_STATUS_DEFAULT_WAIT = 20;

    private final ToolManager tools;
    private final McpRequests requests;
    private final CatalogClient catalog;
    private final CatalogSummaries summaries;
    private final Execution execution;
    private final RunWaiter runs;
    private final GatewayConfig config;
    private final Visibility visibility;

    public MetaTools(ToolManager tools, McpRequests requests, CatalogClient catalog, CatalogSummaries summaries,
            Execution execution, RunWaiter runs, GatewayConfig config, Visibility visibility) {
        this.visibility = visibility;
        this.tools = tools;
        this.requests = requests;
        this.catalog = catalog;
        this.summaries = summaries;
        this.execution = execution;
        this.runs = runs;
        this.config = config;
    }

    void register(@Observes StartupEvent start) {
        register(SEARCH, "Search Executor's tool catalog.", searchSchema(), this::search);
        register(DESCRIBE, "Describe one tool by address.", describeSchema(), this::describe);
        register(EXECUTE, "Execute one tool by address.", executeSchema(), this::execute);
        register(RUN_STATUS, "State of a Run.", runStatusSchema(), this::runStatus);
    }

    private void register(String name, String description, JsonObject schema,
            java.util.function.BiFunction<Caller, ToolArguments, Uni<ToolResponse>> handler) {
        tools.newTool(name).setDescription(description).setInputSchema(schema)
                .setAsyncHandler(args -> requests.caller()
                        .chain(caller -> handler.apply(caller, args))
                        .onFailure(e -> !(e instanceof DownstreamError)).recoverWithItem(e -> {
                            LOG.warnf("MCP tool %s failed: %s", name, e.getClass().getSimpleName());
                            return Results.error(ErrorReasons.INTERNAL, "The gateway could not complete " + name + "; retry shortly.");
                        })
                        .onFailure(DownstreamError.class).recoverWithItem(e -> Results.error(((DownstreamError) e).detail(), null)))
                .register();
    }

    // ---- tools/list ------------------------------------------------------------------------

    /** The meta-tools as {@code tools/list} entries for this caller, descriptions naming what search can reach. */
    public Uni<JsonArray> list(Caller caller) {
        return summaries.summary(caller.principal(), caller.toolkit()).map(summary -> {
            StringBuilder behind = new StringBuilder();
            String scope = caller.toolkit().isEmpty() ? "" : " in toolkit '" + caller.toolkit() + "'";
            if (!summary.known()) {
                behind.append("The catalog summary is unavailable right now; search anyway.");
            } else if (summary.total() == 0) {
                behind.append("No tools are visible to you").append(scope).append(" yet.");
            } else {
                behind.append("Behind this search").append(scope).append(": ").append(summary.total()).append(" tools from ")
                        .append(summary.toolsBySource().size()).append(summary.toolsBySource().size() == 1 ? " source (" : " sources (");
                int i = 0;
                for (Map.Entry<String, Integer> e : summary.toolsBySource().entrySet()) {
                    if (i++ > 0) {
                        behind.append(", ");
                    }
                    if (i > 25) {
                        behind.append("and ").append(summary.toolsBySource().size() - 25).append(" more");
                        break;
                    }
                    behind.append(e.getKey()).append(": ").append(e.getValue());
                }
                behind.append("). These tools are not listed here: search for them.");
            }
            JsonArray out = new JsonArray();
            out.add(entry(SEARCH, "Search Tools",
                    "Find tools in Executor's catalog by what you want to do (free text, e.g. 'create a github issue'). "
                            + behind + " Returns ranked matches, each with its address (<source>.<scope>.<connection>.<tool>), "
                            + "a one-line signature and a description. Then call describe for the schemas and execute to run one.",
                    searchSchema(), true, false));
            out.add(entry(DESCRIBE, "Describe Tool",
                    "Full description of one tool by its address (from search): input JSON Schema, output JSON Schema when "
                            + "declared, side effect (read/write/destructive) and a compact signature.",
                    describeSchema(), true, false));
            out.add(entry(EXECUTE, "Execute Tool",
                    "Run one tool by address with its arguments (a JSON object matching the tool's input schema; call "
                            + "describe first). Returns the tool's output; structured when the tool declares an output schema; "
                            + "large outputs come back as a resource link (read it with resources/read). Refusals say why and what to do "
                            + "(suggested addresses, each invalid argument, the blocking policy). Calls that need a human's approval "
                            + "return the pending run_id and where a human approves; you cannot approve them yourself.",
                    executeSchema(), false, true));
            out.add(runStatusEntry());
            return out;
        });
    }

    static JsonObject runStatusEntry() {
        return entry(RUN_STATUS, "Run Status",
                "State of a Run by run_id (from execute). Waits up to wait_seconds (at most 30) while the run is pending a "
                        + "human approval or still running, then returns its status and, once succeeded, its output. Never approves.",
                runStatusSchema(), true, false);
    }

    static JsonObject entry(String name, String title, String description, JsonObject schema, boolean readOnly, boolean destructive) {
        return new JsonObject().put("name", name).put("title", title).put("description", description).put("inputSchema", schema)
                .put("annotations", new JsonObject().put("title", title).put("readOnlyHint", readOnly)
                        .put("destructiveHint", destructive).put("idempotentHint", readOnly).put("openWorldHint", !readOnly));
    }

    // ---- handlers --------------------------------------------------------------------------

    private Uni<ToolResponse> search(Caller caller, ToolArguments args) {
        String query = string(args, "query");
        if (query == null || query.isBlank()) {
            return Uni.createFrom().item(Results.error(ErrorReasons.INVALID_ARGUMENTS, "'query' is required: describe what you want to do."));
        }
        int limit = clamp(integer(args, "limit", SEARCH_DEFAULT), 1, SEARCH_MAX);
        String source = string(args, "source");
        return catalog.search(caller.principal(), caller.toolkit(), query, source == null ? "" : source, limit,
                nz(string(args, "cursor"))).map(MetaTools::searchResult);
    }

    private static ToolResponse searchResult(SearchToolsResponse r) {
        JsonArray hits = new JsonArray();
        r.getToolsList().forEach(t -> hits.add(new JsonObject().put("address", t.getAddress()).put("signature", t.getSignature())
                .put("description", t.getDescription()).put("side_effect", t.getSideEffect().name().toLowerCase())));
        JsonObject body = new JsonObject().put("tools", hits).put("total", r.getTotal());
        if (!r.getNextPageToken().isEmpty()) {
            body.put("next_cursor", r.getNextPageToken());
        }
        if (hits.isEmpty()) {
            body.put("next_step", "Nothing matched: try other words, or a broader query.");
        }
        return ToolResponse.success(new TextContent(body.encodePrettily()));
    }

    private Uni<ToolResponse> describe(Caller caller, ToolArguments args) {
        String address = address(args);
        if (address == null) {
            return Uni.createFrom().item(Results.error(ErrorReasons.INVALID_ARGUMENTS, "'tool' is required: a tool address from search."));
        }
        return catalog.describe(caller.principal(), caller.toolkit(), address)
                .call(d -> visibility.requireVisible(caller, address))
                .map(MetaTools::describeResult)
                .onFailure(DownstreamError.class).recoverWithUni(e -> visibility
                        .narrowSuggestions(caller, ((DownstreamError) e).detail()).map(d -> Results.error(d, null)));
    }

    static JsonObject toolJson(DescribeToolResponse d) {
        Tool t = d.getTool();
        JsonObject body = new JsonObject().put("address", d.getAddress()).put("name", t.getName())
                .put("description", t.getDescription()).put("signature", t.getSignature())
                .put("side_effect", t.getSideEffect().name().toLowerCase()).put("source_kind", d.getSourceKind())
                .put("input_schema", schema(t.getInputSchemaJson()));
        if (!t.getOutputSchemaJson().isBlank()) {
            body.put("output_schema", schema(t.getOutputSchemaJson()));
        }
        return body;
    }

    private static ToolResponse describeResult(DescribeToolResponse d) {
        return ToolResponse.success(new TextContent(toolJson(d).encodePrettily()));
    }

    private Uni<ToolResponse> execute(Caller caller, ToolArguments args) {
        return execution.execute(caller, address(args), args.args().get("arguments"), args.elicitation());
    }

    private Uni<ToolResponse> runStatus(Caller caller, ToolArguments args) {
        String runId = string(args, "run_id");
        if (runId == null || runId.isBlank()) {
            return Uni.createFrom().item(Results.error(ErrorReasons.INVALID_ARGUMENTS, "'run_id' is required: the run_id execute returned."));
        }
        long maxWait = config.runStatus().maxWait().toSeconds();
        int waitSeconds = clamp(integer(args, "wait_seconds", RUN_STATUS_DEFAULT_WAIT), 0, (int) Math.min(maxWait, Integer.MAX_VALUE));
        return runs.await(caller.principal(), runId, Duration.ofSeconds(waitSeconds))
                .chain(run -> execution.outcome(caller, run, null));
    }

    // ---- schemas and argument helpers -------------------------------------------------------

    static JsonObject searchSchema() {
        return object(new JsonObject()
                .put("query", new JsonObject().put("type", "string").put("description", "What you want to do, in a few words"))
                .put("source", new JsonObject().put("type", "string").put("description", "Only tools of this source name (optional)"))
                .put("limit", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", SEARCH_MAX)
                        .put("default", SEARCH_DEFAULT))
                .put("cursor", new JsonObject().put("type", "string").put("description", "next_cursor of a previous search")),
                "query");
    }

    static JsonObject describeSchema() {
        return object(new JsonObject().put("tool", addressProperty()), "tool");
    }

    static JsonObject executeSchema() {
        return object(new JsonObject().put("tool", addressProperty())
                .put("arguments", new JsonObject().put("type", "object")
                        .put("description", "Arguments matching the tool's input schema (see describe)")),
                "tool");
    }

    static JsonObject runStatusSchema() {
        return object(new JsonObject()
                .put("run_id", new JsonObject().put("type", "string").put("description", "run_id returned by execute"))
                .put("wait_seconds", new JsonObject().put("type", "integer").put("minimum", 0).put("maximum", 30)
                        .put("default", RUN_STATUS_DEFAULT_WAIT)
                        .put("description", "How long to wait for a pending or running run to finish")),
                "run_id");
    }

    private static JsonObject addressProperty() {
        return new JsonObject().put("type", "string")
                .put("description", "Tool address <source>.<scope>.<connection>.<tool>, e.g. github.acme.work.issues_create");
    }

    private static JsonObject object(JsonObject properties, String... required) {
        return new JsonObject().put("type", "object").put("properties", properties)
                .put("required", new JsonArray(java.util.List.of((Object[]) required)));
    }

    static Object schema(String json) {
        try {
            return io.vertx.core.json.Json.decodeValue(json);
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String address(ToolArguments args) {
        String a = string(args, "tool");
        if (a == null) {
            a = string(args, "address");
        }
        return a == null || a.isBlank() ? null : a.trim();
    }

    private static String string(ToolArguments args, String name) {
        Object v = args.args().get(name);
        return v == null ? null : v.toString();
    }

    private static int integer(ToolArguments args, String name, int fallback) {
        Object v = args.args().get(name);
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return v == null ? fallback : Integer.parseInt(v.toString());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
