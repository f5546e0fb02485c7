package dev.executor.invoker.lane.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.catalog.v1.McpBinding;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.Lane;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.v1.McpToolListing;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The {@code mcp} lane: calls a tool of an upstream MCP server ({@code tools/call}) and returns
 * its {@code CallToolResult}; {@code isError: true} is a tool error.
 *
 * <ul>
 * <li>{@code streamable_http}: JSON-RPC over HTTP POST through {@link McpHttp} (in the service:
 * secrets-proxy, which injects the connection's credential). Sessions pooled per (connection,
 * URL); see {@link StreamableHttpClient}.</li>
 * <li>{@code stdio}: pooled, supervised, long-lived local processes, one pool per command + args;
 * see {@link StdioServers}. The command must be in {@code invoker.mcp.stdio.allowed-commands}.
 * Such a server gets no credential (the invoker holds none); the call's connection is not used.
 * {@link #probe} lists a stdio server's tools for the catalog from a one-off process.</li>
 * <li>{@code sse} (the 2024-11-05 HTTP+SSE transport) is not supported: refused with
 * {@code UPSTREAM_ERROR}.</li>
 * </ul>
 *
 * <p>Each call must finish within {@link LaneCall#timeout()} (else {@code invoker.mcp.default-timeout});
 * on timeout or cancellation the server gets {@code notifications/cancelled} and the call fails
 * with {@code UPSTREAM_TIMEOUT}. Stdio results are emitted on a worker thread, never on a
 * server's reader thread.
 */
@ApplicationScoped
public class McpLane implements Lane {

    private final StreamableHttpClient http;
    private final StdioServers stdio;
    private final ObjectMapper mapper;
    private final Duration defaultTimeout;
    private final Duration probeTimeout;

    public McpLane(McpLaneConfig config, McpHttp http, ObjectMapper mapper) {
        this.http = new StreamableHttpClient(http, mapper, config.protocolVersion());
        this.stdio = new StdioServers(config.stdio(), mapper, config.protocolVersion());
        this.mapper = mapper;
        this.defaultTimeout = config.defaultTimeout();
        this.probeTimeout = config.stdio().startTimeout().plus(config.defaultTimeout());
    }

    @Override
    public String name() {
        return "mcp";
    }

    @Override
    public Uni<LaneResult> execute(LaneCall call) {
        return Uni.createFrom().deferred(() -> {
            if (!call.tool().hasLane() || !call.tool().getLane().hasMcp()) {
                throw new LaneException(ErrorReasons.INTERNAL, "The tool has no MCP binding.");
            }
            McpBinding binding = call.tool().getLane().getMcp();
            McpServerConfig server = binding.getServer();
            String tool = binding.getUpstreamTool();
            if (tool.isBlank()) {
                throw new LaneException(ErrorReasons.INTERNAL, "The tool's MCP binding names no upstream tool.");
            }
            Duration timeout = call.timeout() != null ? call.timeout() : defaultTimeout;
            return switch (transport(server)) {
                case "streamable_http" -> {
                    if (server.getUrl().isBlank()) {
                        throw new LaneException(ErrorReasons.INTERNAL, "The tool's MCP server has no URL.");
                    }
                    yield http.callTool(call, server.getUrl(), tool, timeout);
                }
                case "stdio" -> stdio.request(server, "tools/call", JsonRpc.toolsCallParams(mapper, tool, call.arguments()), timeout)
                        .map(response -> JsonRpc.toolResult(JsonRpc.result(response, "tools/call", "'" + server.getCommand() + "'")))
                        .emitOn(Infrastructure.getDefaultWorkerPool());
                case "sse" -> throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "This invoker does not speak the legacy MCP HTTP+SSE "
                        + "transport (protocol 2024-11-05); register the server with its Streamable HTTP endpoint instead.");
                default -> throw new LaneException(ErrorReasons.INTERNAL, "Unknown MCP transport '" + server.getTransport() + "'.");
            };
        });
    }

    /**
     * {@code InvokerService.ProbeMcpServer}: lists the tools of a stdio server from a one-off
     * process (see {@link StdioServers#probe}), within {@code invoker.mcp.stdio.start-timeout} +
     * {@code invoker.mcp.default-timeout}. Fails with {@link LaneException}: {@code INVALID_ARGUMENTS}
     * for a server that is not a stdio one, {@code PERMISSION_DENIED} for a command not allowed,
     * {@code UPSTREAM_ERROR} / {@code UPSTREAM_TIMEOUT} when the server does not list its tools.
     */
    public Uni<ProbeMcpServerResponse> probe(McpServerConfig server) {
        return Uni.createFrom().deferred(() -> {
            if (!transport(server).equals("stdio")) {
                throw new LaneException(ErrorReasons.INVALID_ARGUMENTS, "Only stdio MCP servers are probed by the invoker; '"
                        + server.getTransport() + "' servers are listed by the catalog itself.");
            }
            if (server.getCommand().isBlank()) {
                throw new LaneException(ErrorReasons.INVALID_ARGUMENTS, "A stdio MCP server needs a command.");
            }
            return stdio.probe(server, probeTimeout).map(this::probeResponse);
        });
    }

    private ProbeMcpServerResponse probeResponse(StdioServers.Probe probe) {
        JsonNode info = probe.initializeResult() == null ? mapper.createObjectNode() : probe.initializeResult().path("serverInfo");
        ProbeMcpServerResponse.Builder out = ProbeMcpServerResponse.newBuilder()
                .setServerName(info.path("name").asText(""))
                .setServerTitle(info.path("title").asText(""))
                .setServerVersion(info.path("version").asText(""))
                .setProtocolVersion(probe.protocolVersion() == null ? "" : probe.protocolVersion())
                .addAllWarnings(probe.warnings());
        for (JsonNode tool : probe.tools()) {
            out.addTools(McpToolListing.newBuilder()
                    .setName(tool.path("name").asText(""))
                    .setTitle(tool.path("title").asText(""))
                    .setDescription(tool.path("description").asText(""))
                    .setInputSchemaJson(jsonObject(tool.get("inputSchema")))
                    .setOutputSchemaJson(jsonObject(tool.get("outputSchema")))
                    .setAnnotationsJson(jsonObject(tool.get("annotations"))));
        }
        return out.build();
    }

    /** An object as JSON text; anything else (absent, null, not an object) as "". */
    private String jsonObject(JsonNode node) {
        if (node == null || !node.isObject()) {
            return "";
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** Accepts the catalog's {@code streamable_http} and the spec's spelling {@code streamable-http}. */
    private static String transport(McpServerConfig server) {
        String t = server.getTransport().trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (t) {
            case "streamable_http", "streamablehttp", "http" -> "streamable_http";
            case "" -> server.getCommand().isBlank() ? "streamable_http" : "stdio";
            default -> t;
        };
    }

    /** PIDs of the running processes of a stdio server (diagnostics and tests). */
    List<Long> stdioPids(McpServerConfig server) {
        return stdio.pids(server);
    }

    /** Stops every stdio server process. */
    @PreDestroy
    void close() {
        stdio.close();
    }
}
