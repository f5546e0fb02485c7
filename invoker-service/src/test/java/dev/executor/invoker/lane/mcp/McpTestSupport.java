package dev.executor.invoker.lane.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.LaneFacts;
import dev.executor.catalog.v1.McpBinding;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.ConnectionRef;
import dev.executor.common.v1.Principal;
import dev.executor.invoker.lane.LaneCall;

/** Config and calls for the MCP lane tests, built without CDI. */
final class McpTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();

    record Stdio(Optional<List<String>> allowedCommands, Optional<String> path, Map<String, String> env, int maxProcessesPerServer,
            int maxInFlightPerProcess, Duration idleTimeout, Duration startTimeout, int maxMessageBytes, Duration restartBackoff)
            implements McpLaneConfig.Stdio {
    }

    record Config(String protocolVersion, Duration defaultTimeout, Stdio stdio) implements McpLaneConfig {
    }

    private McpTestSupport() {
    }

    static Stdio stdio(List<String> allowed, Duration idleTimeout) {
        return new Stdio(Optional.of(allowed), Optional.empty(), Map.of("EXECUTOR_LANE", "mcp"), 2, 64, idleTimeout, Duration.ofSeconds(30),
                16 * 1024 * 1024, Duration.ofMillis(200));
    }

    static Config config(Stdio stdio) {
        return new Config("2025-06-18", Duration.ofSeconds(30), stdio);
    }

    static McpServerConfig stdioServer() {
        return McpServerConfig.newBuilder().setTransport("stdio").setCommand("node")
                .addArgs(ServerEverything.entry().toString()).addArgs("stdio").build();
    }

    /**
     * The same server under its own pool key: server-everything ignores arguments after the
     * transport, and the lane pools per command + args, so a test can count its own processes.
     */
    static McpServerConfig stdioServer(String tag) {
        return stdioServer().toBuilder().addArgs(tag).build();
    }

    static McpServerConfig httpServer(String url) {
        return McpServerConfig.newBuilder().setTransport("streamable_http").setUrl(url).build();
    }

    static LaneCall call(McpServerConfig server, String tool, ObjectNode arguments, Duration timeout) {
        ResolveToolResponse resolved = ResolveToolResponse.newBuilder()
                .setLane(LaneFacts.newBuilder().setLane("mcp").setMcp(McpBinding.newBuilder().setServer(server).setUpstreamTool(tool)))
                .setConnection(ConnectionRef.newBuilder().setSource("everything").setName("work"))
                .build();
        return new LaneCall("run-" + System.nanoTime(), resolved, arguments, Principal.getDefaultInstance(), timeout, null);
    }

    static ObjectNode args(Object... pairs) {
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], MAPPER.valueToTree(pairs[i + 1]));
        }
        return node;
    }

    /** The text of the first content block of a CallToolResult. */
    static String text(com.fasterxml.jackson.databind.JsonNode callToolResult) {
        return callToolResult.path("content").path(0).path("text").asText();
    }
}
