package dev.executor.acceptance;

import static dev.executor.acceptance.McpAgent.call;
import static dev.executor.acceptance.McpAgent.text;
import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An admin registers an MCP server that speaks stdio (the reference "everything" server, a real
 * npm package) by its command; the catalog has the invoker — the only service that starts upstream
 * processes, and only allow-listed commands ({@code node} here) — probe it, and an agent then runs
 * one of its tools over MCP.
 */
class StdioSourceIT {

    @Test
    void anAdminRegistersAStdioServerByCommandAndAnAgentRunsItsTool() throws Exception {
        Platform platform = Platform.get();
        String admin = platform.userToken("dev", "dev");
        Path dir = platform.root.resolve("acceptance/target/stdio-server");
        Npm.ci(platform.root.resolve("acceptance/src/test/node/stdio-server"), dir);
        Path entry = dir.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

        // When an admin adds it by command
        var created = platform.post(platform.url("catalog") + "/api/sources", admin, Map.of("name", "everything", "kind", "mcp",
                "scope", "org:acme", "transport", "stdio", "command", "node", "args", List.of(entry.toString(), "stdio")));

        // Then the invoker probed it and its tools are in the catalog
        assertEquals(201, created.statusCode(), created.body());
        JsonNode source = json(created.body());
        assertEquals("connected", source.path("status").asText(), source.toString());
        assertTrue(source.path("toolCount").asInt() > 5, source.toString());

        // And with a connection (no credential: a local process), an agent runs its echo tool
        var connection = platform.post(platform.url("secrets") + "/api/connections", admin, Map.of("scope", "org:acme",
                "source", "everything", "sourceId", source.get("id").asText(), "name", "work", "auth", Map.of("kind", "none"),
                "hosts", List.of()));
        assertEquals(201, connection.statusCode(), connection.body());
        JsonNode out = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(
                () -> McpAgent.run(platform.url("gateway") + "/mcp", platform.agentToken(), List.of(call("execute",
                        Map.of("tool", "everything.acme.work.echo", "arguments", Map.of("message", "over stdio"))))),
                o -> !o.at("/results/0/isError").asBoolean());
        assertTrue(text(out.at("/results/0")).contains("Echo: over stdio"), out.toString());
    }
}
