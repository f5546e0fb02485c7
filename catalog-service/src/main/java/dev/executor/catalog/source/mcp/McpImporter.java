package dev.executor.catalog.source.mcp;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.AuthTemplate;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolBinding;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.client.InvokerProbeClient;
import dev.executor.catalog.source.DocumentLoader;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.SourceImporter;
import dev.executor.catalog.source.ToolNames;
import dev.executor.catalog.source.UpstreamHttp;
import dev.executor.invoker.v1.McpToolListing;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import io.smallrye.common.annotation.Identifier;

/**
 * MCP servers ({@code kind = "mcp"}). For the HTTP transports the catalog connects itself:
 * {@code initialize}, {@code tools/list} page by page, close; each tool becomes one manifest tool
 * in lane {@code mcp}. A stdio server is probed by the invoker, the only service that runs
 * upstream processes ({@link StdioProber}, {@code InvokerService.ProbeMcpServer}); its tools are
 * normalized the same way. When the invoker cannot or will not probe it, it is registered and
 * stays draft ({@link Kind#DEFERRED}) with a message saying why.
 *
 * <p>Normalization: name = the MCP name sanitized ({@code get-sum} → {@code get_sum}, collisions
 * {@code _2}); description = the description (else the title); input schema = {@code inputSchema};
 * output schema = {@code outputSchema} when the tool declares one; side effect from the
 * annotations: {@code readOnlyHint} → read, {@code destructiveHint} → destructive, else write;
 * declared hosts = the URL's host (none for stdio). Annotations are the server's own claims, so a read-only claim is
 * what the plugin defaults of policy will trust.
 *
 * <p>Network access goes through {@link UpstreamHttp} (the future egress guard's one seam).
 */
@ApplicationScoped
@Identifier("mcp")
public class McpImporter implements SourceImporter {

    /** Hard stops against a server that pages forever. */
    static final int MAX_PAGES = 100;
    static final int MAX_TOOLS = 5000;

    private final UpstreamHttp http;
    private final ObjectMapper json;
    private final Duration timeout;
    private final long maxBytes;
    private final StdioProber prober;

    @Inject
    public McpImporter(DocumentLoader loader, InvokerProbeClient invoker) {
        this(loader.http(), loader.jsonMapper(), loader.timeout(), loader.maxBytes(), invoker);
    }

    /** Without an invoker: stdio servers are registered and stay draft. */
    public McpImporter(UpstreamHttp http, ObjectMapper json, Duration timeout, long maxBytes) {
        this(http, json, timeout, maxBytes, (command, args) -> {
            throw new ImportException(Kind.DEFERRED, "Registered; stdio MCP servers are started and probed by the invoker, the only "
                    + "service that runs upstream processes, and no invoker is configured here.");
        });
    }

    public McpImporter(UpstreamHttp http, ObjectMapper json, Duration timeout, long maxBytes, StdioProber prober) {
        this.http = http;
        this.json = json;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.prober = prober;
    }

    @Override
    public Manifest importSource(SourceConfig config) throws ImportException {
        String transport = transport(config);
        if (transport.equals("stdio")) {
            if (config.command() == null || config.command().isBlank()) {
                throw new ImportException(Kind.UNSUPPORTED, "A stdio MCP server needs a 'command' (and optional 'args').");
            }
            return importStdio(config.command().trim(), config.args());
        }
        if (!config.hasUrl()) {
            throw new ImportException(Kind.UNSUPPORTED, "An MCP server over " + transport + " needs a 'url'.");
        }
        URI uri = DocumentLoader.parseHttpUri(config.url());
        List<String> warnings = new ArrayList<>();
        List<JsonNode> listed = new ArrayList<>();
        JsonNode init;
        try (McpSession session = open(transport, uri)) {
            init = session.initialize();
            String cursor = null;
            Set<String> seen = new HashSet<>();
            for (int page = 0;; page++) {
                if (page == MAX_PAGES) {
                    warnings.add("tools/list still had more pages after " + MAX_PAGES + "; the rest were not imported.");
                    break;
                }
                ObjectNode params = json.createObjectNode();
                if (cursor != null) {
                    params.put("cursor", cursor);
                }
                JsonNode result = session.request("tools/list", params);
                JsonNode tools = result.path("tools");
                if (!tools.isArray()) {
                    throw new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " answered tools/list without a tools array.");
                }
                tools.forEach(listed::add);
                if (listed.size() > MAX_TOOLS) {
                    warnings.add("The server lists more than " + MAX_TOOLS + " tools; only the first " + MAX_TOOLS + " were imported.");
                    listed = new ArrayList<>(listed.subList(0, MAX_TOOLS));
                    break;
                }
                JsonNode next = result.path("nextCursor");
                if (!next.isTextual() || next.asText().isEmpty()) {
                    break;
                }
                cursor = next.asText();
                if (!seen.add(cursor)) {
                    warnings.add("tools/list repeated cursor '" + McpSession.clip(cursor) + "'; listing stopped there.");
                    break;
                }
            }
        }
        ToolBinding.Mcp server = new ToolBinding.Mcp(transport, uri.toString(), null, List.of(), null);
        List<ToolDefinition> tools = normalize(listed, server, warnings);
        String title = init.path("serverInfo").path("title").asText(init.path("serverInfo").path("name").asText(""));
        String host = uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        return new Manifest("mcp", title, uri.toString(), List.of(host), tools, warnings);
    }

    /**
     * A stdio server: the invoker starts it once and lists its tools ({@link StdioProber}); they are
     * normalized exactly like tools listed over HTTP. No declared hosts, no base URL: the server runs
     * beside the invoker.
     */
    private Manifest importStdio(String command, List<String> args) throws ImportException {
        ProbeMcpServerResponse probe = prober.probe(command, args);
        List<String> warnings = new ArrayList<>(probe.getWarningsList());
        List<JsonNode> listed = new ArrayList<>(probe.getToolsCount());
        for (McpToolListing tool : probe.getToolsList()) {
            listed.add(asListed(tool, warnings));
        }
        ToolBinding.Mcp server = new ToolBinding.Mcp("stdio", null, command, List.copyOf(args), null);
        List<ToolDefinition> tools = normalize(listed, server, warnings);
        String title = !probe.getServerTitle().isBlank() ? probe.getServerTitle() : probe.getServerName();
        return new Manifest("mcp", title, "", List.of(), tools, warnings);
    }

    /** A probed tool back in the shape of a {@code tools/list} entry, so {@link #normalize} treats both transports alike. */
    private JsonNode asListed(McpToolListing tool, List<String> warnings) {
        ObjectNode t = json.createObjectNode().put("name", tool.getName());
        if (!tool.getTitle().isEmpty()) {
            t.put("title", tool.getTitle());
        }
        if (!tool.getDescription().isEmpty()) {
            t.put("description", tool.getDescription());
        }
        putJson(t, "inputSchema", tool.getInputSchemaJson(), tool.getName(), warnings);
        putJson(t, "outputSchema", tool.getOutputSchemaJson(), tool.getName(), warnings);
        putJson(t, "annotations", tool.getAnnotationsJson(), tool.getName(), warnings);
        return t;
    }

    private void putJson(ObjectNode target, String field, String text, String tool, List<String> warnings) {
        if (text.isEmpty()) {
            return;
        }
        try {
            target.set(field, json.readTree(text));
        } catch (java.io.IOException e) {
            warnings.add("MCP tool '" + McpSession.clip(tool) + "': its " + field + " from the invoker is not JSON; ignored.");
        }
    }

    private McpSession open(String transport, URI uri) throws ImportException {
        if (transport.equals("sse")) {
            LegacySseSession sse = new LegacySseSession(uri, http, json, timeout, maxBytes);
            try {
                sse.open();
            } catch (ImportException e) {
                sse.close();
                throw e;
            }
            return sse;
        }
        return new StreamableHttpSession(uri, http, json, timeout, maxBytes);
    }

    /** One manifest tool per listed MCP tool; a tool without a usable name is skipped with a warning. */
    List<ToolDefinition> normalize(List<JsonNode> listed, ToolBinding.Mcp server, List<String> warnings) {
        List<ToolDefinition> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (JsonNode t : listed) {
            String upstream = t.path("name").asText("");
            if (!t.isObject() || upstream.isBlank()) {
                warnings.add("Skipped a tool without a name.");
                continue;
            }
            String name = ToolNames.unique(ToolNames.sanitize(upstream), taken);
            if (!name.equals(ToolNames.sanitize(upstream))) {
                warnings.add("MCP tool '" + McpSession.clip(upstream) + "' renamed " + name + " (its sanitized name was taken).");
            }
            ObjectNode input;
            if (t.path("inputSchema").isObject()) {
                input = ((ObjectNode) t.get("inputSchema")).deepCopy();
                if (!input.has("type")) {
                    input.put("type", "object");
                }
            } else {
                warnings.add("MCP tool '" + McpSession.clip(upstream) + "' has no inputSchema; it accepts any object.");
                input = json.createObjectNode().put("type", "object");
            }
            ObjectNode output = t.path("outputSchema").isObject() ? ((ObjectNode) t.get("outputSchema")).deepCopy() : null;
            String title = t.path("title").asText(t.path("annotations").path("title").asText(""));
            String description = t.path("description").asText("");
            if (description.isBlank()) {
                description = title;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("operation_id", upstream);
            labels.put("mcp_name", upstream);
            if (!title.isBlank()) {
                labels.put("title", title);
            }
            String outputName = output == null ? "content" : output.path("title").asText("object");
            out.add(new ToolDefinition(name, description, input, output, outputName, sideEffect(t.path("annotations")), AuthTemplate.NONE,
                    labels, new ToolBinding.Mcp(server.transport(), server.url(), server.command(), server.args(), upstream)));
        }
        return out;
    }

    /** readOnlyHint → read; destructiveHint → destructive; anything else (no annotations included) → write. */
    static SideEffect sideEffect(JsonNode annotations) {
        if (annotations.path("readOnlyHint").asBoolean(false)) {
            return SideEffect.READ;
        }
        if (annotations.path("destructiveHint").asBoolean(false)) {
            return SideEffect.DESTRUCTIVE;
        }
        return SideEffect.WRITE;
    }

    /** The transport named by the config; inferred from url/command when blank. */
    static String transport(SourceConfig config) throws ImportException {
        String raw = config.mcpTransport() == null ? "" : config.mcpTransport().trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (raw.isEmpty()) {
            if (config.hasUrl()) {
                return "streamable_http";
            }
            if (config.command() != null && !config.command().isBlank()) {
                return "stdio";
            }
            throw new ImportException(Kind.UNSUPPORTED, "An MCP source needs a 'url' (Streamable HTTP or SSE) or a 'command' (stdio).");
        }
        return switch (raw) {
            case "streamable_http", "streamablehttp", "http" -> "streamable_http";
            case "sse" -> "sse";
            case "stdio" -> "stdio";
            default -> throw new ImportException(Kind.UNSUPPORTED, "Unknown MCP transport '" + McpSession.clip(config.mcpTransport())
                    + "'; use streamable_http, sse or stdio.");
        };
    }
}
