package dev.executor.invoker.lane.mcp;

import static dev.executor.invoker.lane.mcp.McpTestSupport.MAPPER;
import static dev.executor.invoker.lane.mcp.McpTestSupport.config;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdio;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdioServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.v1.McpToolListing;
import dev.executor.invoker.v1.ProbeMcpServerResponse;

/**
 * {@code InvokerService.ProbeMcpServer} below gRPC: the MCP lane lists a stdio server's tools from a
 * one-off process, against the real npm server-everything and a small paging server.
 */
class McpStdioProbeTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static McpLane lane;

    @BeforeAll
    static void startLane() {
        lane = new McpLane(config(stdio(List.of("node"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
    }

    @AfterAll
    static void stopLane() {
        if (lane != null) {
            lane.close();
        }
    }

    @Test
    void listsTheToolsOfServerEverythingAndStopsItsProcess() throws Exception {
        // Given the real reference server over stdio, under a tag of its own
        McpServerConfig server = stdioServer("probe-everything");

        // When
        ProbeMcpServerResponse probe = lane.probe(server).await().atMost(WAIT);

        // Then: its identity, the negotiated protocol and its tools as tools/list gave them
        assertEquals("mcp-servers/everything", probe.getServerName());
        assertFalse(probe.getServerVersion().isBlank());
        assertEquals("2025-06-18", probe.getProtocolVersion());
        List<String> names = probe.getToolsList().stream().map(McpToolListing::getName).toList();
        assertTrue(names.containsAll(List.of("echo", "get-sum", "get-env")), names.toString());
        McpToolListing sum = probe.getToolsList().stream().filter(t -> t.getName().equals("get-sum")).findFirst().orElseThrow();
        JsonNode input = MAPPER.readTree(sum.getInputSchemaJson());
        assertEquals("number", input.path("properties").path("a").path("type").asText());
        assertFalse(sum.getDescription().isBlank());
        assertTrue(probe.getWarningsList().isEmpty(), probe.getWarningsList().toString());

        // And: the process was a one-off (not pooled) and is gone
        assertTrue(lane.stdioPids(server).isEmpty());
        await().atMost(WAIT).until(() -> ServerEverything.children().stream()
                .noneMatch(p -> Arrays.asList(p.info().arguments().orElse(new String[0])).contains("probe-everything")));
    }

    @Test
    void followsNextCursorAndStopsAtARepeatedOne() throws Exception {
        // Given a server whose second page names its own cursor again
        Path script = Path.of(McpStdioProbeTest.class.getResource("/mcp/paging-stdio-server.cjs").toURI());
        McpServerConfig server = McpServerConfig.newBuilder().setTransport("stdio").setCommand("node").addArgs(script.toString()).build();

        // When
        ProbeMcpServerResponse probe = lane.probe(server).await().atMost(WAIT);

        // Then: both pages, every field of each tool, and a warning instead of a loop
        assertEquals("paging", probe.getServerName());
        assertEquals("Paging test server", probe.getServerTitle());
        assertEquals("1.2.3", probe.getServerVersion());
        assertEquals(List.of("first-tool", "second-tool"), probe.getToolsList().stream().map(McpToolListing::getName).toList());
        McpToolListing first = probe.getTools(0);
        assertEquals("First", first.getTitle());
        assertEquals("Page one.", first.getDescription());
        assertTrue(MAPPER.readTree(first.getAnnotationsJson()).path("readOnlyHint").asBoolean());
        assertEquals("", first.getOutputSchemaJson());
        assertEquals("boolean", MAPPER.readTree(probe.getTools(1).getOutputSchemaJson()).path("properties").path("ok").path("type").asText());
        assertEquals("", probe.getTools(1).getAnnotationsJson());
        assertEquals(1, probe.getWarningsCount());
        assertTrue(probe.getWarnings(0).contains("repeated a cursor"), probe.getWarnings(0));
    }

    @Test
    void refusesACommandThatIsNotAllowedWithoutStartingIt() {
        // Given a lane that allows only npx
        McpLane strict = new McpLane(config(stdio(List.of("npx"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
        try {
            // When
            LaneException e = assertThrows(LaneException.class, () -> strict.probe(stdioServer("probe-refused")).await().atMost(WAIT));

            // Then
            assertEquals(ErrorReasons.PERMISSION_DENIED, e.reason());
            assertTrue(e.getMessage().contains("invoker.mcp.stdio.allowed-commands"), e.getMessage());
            assertTrue(ServerEverything.children().stream()
                    .noneMatch(p -> Arrays.asList(p.info().arguments().orElse(new String[0])).contains("probe-refused")));
        } finally {
            strict.close();
        }
    }

    @Test
    void reportsAServerThatExitsInsteadOfAnsweringAsAnUpstreamError() {
        // Given a command that exits at once instead of speaking MCP
        McpServerConfig broken = McpServerConfig.newBuilder().setTransport("stdio").setCommand("node").addArgs("-e")
                .addArgs("process.exit(3)").build();

        // When
        LaneException e = assertThrows(LaneException.class, () -> lane.probe(broken).await().atMost(WAIT));

        // Then: it says why
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
    }

    @Test
    void timesOutAServerThatNeverAnswersAndStopsIt() {
        // Given: a server that reads stdin but never answers, and a lane that waits 1 s to start + 1 s to list
        McpLane impatient = new McpLane(new McpTestSupport.Config("2025-06-18", Duration.ofSeconds(1),
                new McpTestSupport.Stdio(Optional.of(List.of("node")), Optional.empty(), Map.of(), 2, 64, Duration.ofMinutes(10),
                        Duration.ofSeconds(1), 1 << 20, Duration.ofMillis(200))), new DirectMcpHttp(), MAPPER);
        McpServerConfig silent = McpServerConfig.newBuilder().setTransport("stdio").setCommand("node").addArgs("-e")
                .addArgs("process.stdin.resume(); setInterval(() => {}, 1000)").addArgs("probe-silent").build();
        try {
            // When
            LaneException e = assertThrows(LaneException.class, () -> impatient.probe(silent).await().atMost(WAIT));

            // Then: the probe failed (initialize unanswered) and the process is gone
            assertTrue(List.of(ErrorReasons.UPSTREAM_ERROR, ErrorReasons.UPSTREAM_TIMEOUT).contains(e.reason()), e.reason());
            await().atMost(WAIT).until(() -> ProcessHandle.current().children()
                    .noneMatch(p -> Arrays.asList(p.info().arguments().orElse(new String[0])).contains("probe-silent")));
        } finally {
            impatient.close();
        }
    }

    @Test
    void refusesAServerThatIsNotStdio() {
        // When
        LaneException e = assertThrows(LaneException.class, () -> lane.probe(McpTestSupport.httpServer("http://127.0.0.1:1/mcp"))
                .await().atMost(WAIT));

        // Then
        assertEquals(ErrorReasons.INVALID_ARGUMENTS, e.reason());
    }
}
