package dev.executor.invoker.lane.mcp;

import static dev.executor.invoker.lane.mcp.McpTestSupport.MAPPER;
import static dev.executor.invoker.lane.mcp.McpTestSupport.args;
import static dev.executor.invoker.lane.mcp.McpTestSupport.call;
import static dev.executor.invoker.lane.mcp.McpTestSupport.config;
import static dev.executor.invoker.lane.mcp.McpTestSupport.httpServer;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdio;
import static dev.executor.invoker.lane.mcp.McpTestSupport.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import io.smallrye.mutiny.Uni;

/**
 * The MCP lane's Streamable HTTP transport against the real server-everything
 * ({@code node index.js streamableHttp}) on loopback. The HTTP hop is {@link DirectMcpHttp} (no
 * secrets-proxy in between); in the service the same requests go through {@code Upstream.forward}.
 */
class McpLaneStreamableHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static int port;
    private static Process upstream;
    private static McpServerConfig server;

    private DirectMcpHttp http;
    private McpLane lane;

    @BeforeAll
    static void startServer() throws Exception {
        port = ServerEverything.freePort();
        upstream = ServerEverything.startStreamableHttp(port);
        server = httpServer("http://127.0.0.1:" + port + "/mcp");
    }

    @AfterAll
    static void stopServer() {
        if (upstream != null) {
            upstream.destroyForcibly();
        }
    }

    @BeforeEach
    void newLane() {
        http = new DirectMcpHttp();
        lane = new McpLane(config(stdio(List.of(), Duration.ofMinutes(10))), http, MAPPER);
    }

    @AfterEach
    void closeLane() {
        lane.close();
    }

    private LaneResult run(String tool, ObjectNode arguments) {
        return lane.execute(call(server, tool, arguments, Duration.ofSeconds(30))).await().atMost(WAIT);
    }

    @Test
    void callsTheEchoToolOverStreamableHttp() {
        // When
        LaneResult result = run("echo", args("message", "over http"));

        // Then
        assertEquals("Echo: over http", text(result.output()));
        assertFalse(result.toolError());
    }

    @Test
    void readsTheResponseFromAnEventStream() {
        // When
        run("echo", args("message", "streamed"));

        // Then: server-everything answered every request as text/event-stream
        assertTrue(http.answerTypes.stream().filter(t -> !t.isEmpty()).allMatch(t -> t.startsWith("text/event-stream")),
                http.answerTypes.toString());
    }

    @Test
    void callsAStatelessServerThatAnswersWithPlainJson() throws Exception {
        // Given: an SDK server without sessions that answers application/json
        int jsonPort = ServerEverything.freePort();
        Process jsonServer = ServerEverything.startJsonResponseServer(jsonPort, "stateless");
        try {
            McpServerConfig stateless = httpServer("http://127.0.0.1:" + jsonPort + "/mcp");

            // When
            LaneResult first = lane.execute(call(stateless, "echo", args("message", "json 1"), Duration.ofSeconds(30))).await().atMost(WAIT);
            LaneResult second = lane.execute(call(stateless, "echo", args("message", "json 2"), Duration.ofSeconds(30))).await().atMost(WAIT);

            // Then: read from JSON bodies, one handshake, no session header
            assertEquals("Echo: json 1", text(first.output()));
            assertEquals("Echo: json 2", text(second.output()));
            assertTrue(http.answerTypes.contains("application/json"), http.answerTypes.toString());
            assertEquals(1, http.count("initialize"));
            assertTrue(http.sent.stream().noneMatch(s -> s.headers().containsKey("mcp-session-id")));
        } finally {
            jsonServer.destroyForcibly();
        }
    }

    @Test
    void initializesOnceAndReusesTheSessionWithItsHeaders() {
        // When
        for (int i = 0; i < 5; i++) {
            assertEquals("The sum of " + i + " and 1 is " + (i + 1) + ".", text(run("get-sum", args("a", i, "b", 1)).output()));
        }

        // Then: one handshake, and every later request carried the session and the negotiated version
        assertEquals(1, http.count("initialize"));
        assertEquals(1, http.count("notifications/initialized"));
        assertEquals(5, http.count("tools/call"));
        List<DirectMcpHttp.Sent> calls = http.sent.stream().filter(s -> "tools/call".equals(s.method())).toList();
        String session = calls.get(0).headers().get("mcp-session-id");
        assertNotNull(session);
        for (DirectMcpHttp.Sent sent : calls) {
            assertEquals(session, sent.headers().get("mcp-session-id"));
            assertEquals("2025-06-18", sent.headers().get("mcp-protocol-version"));
            assertEquals("application/json, text/event-stream", sent.headers().get("accept"));
        }
    }

    @Test
    void usesTheProtocolVersionTheServerNegotiated() {
        // Given: a lane offering a version the server does not know
        McpLane future = new McpLane(new McpTestSupport.Config("2099-01-01", Duration.ofSeconds(30), stdio(List.of(), Duration.ofMinutes(10))),
                http, MAPPER);
        try {
            // When
            LaneResult result = future.execute(call(server, "echo", args("message", "v"), Duration.ofSeconds(30))).await().atMost(WAIT);

            // Then: the server answered with its own version, and the session speaks that one
            assertEquals("Echo: v", text(result.output()));
            DirectMcpHttp.Sent call = http.sent.stream().filter(s -> "tools/call".equals(s.method())).findFirst().orElseThrow();
            String negotiated = call.headers().get("mcp-protocol-version");
            assertNotNull(negotiated);
            assertNotEquals("2099-01-01", negotiated);
        } finally {
            future.close();
        }
    }

    @Test
    void sharesOneHandshakeAmongConcurrentFirstCalls() {
        // Given
        List<Uni<LaneResult>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(lane.execute(call(server, "echo", args("message", "c" + i), Duration.ofSeconds(30))));
        }

        // When
        List<LaneResult> results = Uni.join().all(calls).andFailFast().await().atMost(WAIT);

        // Then
        assertEquals(10, results.size());
        assertEquals(1, http.count("initialize"));
    }

    @Test
    void initializesAgainOnceWhenTheServerAnswers400NamingAForgottenSession() throws Exception {
        // Given: a session, then a server restart that forgets it
        run("echo", args("message", "before"));
        String before = http.sent.get(http.sent.size() - 1).headers().get("mcp-session-id");
        upstream.destroyForcibly();
        upstream.waitFor();
        upstream = ServerEverything.startStreamableHttp(port);

        // When
        LaneResult result = run("echo", args("message", "after restart"));

        // Then: answered on a new session after one more handshake
        assertEquals("Echo: after restart", text(result.output()));
        assertEquals(2, http.count("initialize"));
        String after = http.sent.get(http.sent.size() - 1).headers().get("mcp-session-id");
        assertNotEquals(before, after);
    }

    @Test
    void initializesAgainOnceWhenTheServerAnswers404ForTheSession() throws Exception {
        // Given: a session with a server that follows the spec (404 for a session it does not know)
        int jsonPort = ServerEverything.freePort();
        Process jsonServer = ServerEverything.startJsonResponseServer(jsonPort, "stateful");
        McpServerConfig stateful = httpServer("http://127.0.0.1:" + jsonPort + "/mcp");
        try {
            lane.execute(call(stateful, "echo", args("message", "before"), Duration.ofSeconds(30))).await().atMost(WAIT);
            jsonServer.destroyForcibly();
            jsonServer.waitFor();
            jsonServer = ServerEverything.startJsonResponseServer(jsonPort, "stateful");

            // When
            LaneResult result = lane.execute(call(stateful, "echo", args("message", "after"), Duration.ofSeconds(30))).await().atMost(WAIT);

            // Then
            assertEquals("Echo: after", text(result.output()));
            assertEquals(2, http.count("initialize"));
            assertEquals(3, http.count("tools/call"));
        } finally {
            jsonServer.destroyForcibly();
        }
    }

    @Test
    void reportsAnIsErrorResultAsToolError() {
        // When
        LaneResult result = run("echo", args("message", 12));

        // Then
        assertTrue(result.toolError());
        assertTrue(result.output().get("isError").asBoolean());
    }

    @Test
    void timesOutAndSendsCancelledUpstream() {
        // Given
        run("echo", args("message", "warm-up"));

        // When: the tool takes 10 s, the call allows 500 ms
        LaneException e = assertThrows(LaneException.class, () -> lane.execute(call(server, "trigger-long-running-operation",
                args("duration", 10, "steps", 1), Duration.ofMillis(500))).await().atMost(WAIT));

        // Then: the call timed out and the server was told, in the same session
        assertEquals(ErrorReasons.UPSTREAM_TIMEOUT, e.reason());
        await().atMost(WAIT).until(() -> http.count("notifications/cancelled") == 1);
        DirectMcpHttp.Sent cancelled = http.sent.stream().filter(s -> "notifications/cancelled".equals(s.method())).findFirst().orElseThrow();
        DirectMcpHttp.Sent call = http.sent.stream().filter(s -> "tools/call".equals(s.method())).reduce((a, b) -> b).orElseThrow();
        assertTrue(Objects.equals(call.headers().get("mcp-session-id"), cancelled.headers().get("mcp-session-id")));
    }

    @Test
    void failsWithUpstreamErrorWhenNothingListens() throws Exception {
        // Given
        McpServerConfig nowhere = httpServer("http://127.0.0.1:" + ServerEverything.freePort() + "/mcp");

        // When
        LaneException e = assertThrows(LaneException.class,
                () -> lane.execute(call(nowhere, "echo", args("message", "x"), Duration.ofSeconds(10))).await().atMost(WAIT));

        // Then
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
    }

    @Test
    void mapsAnHttpErrorStatusToUpstreamErrorWithTheStatus() {
        // Given: a path the server does not serve
        McpServerConfig wrongPath = httpServer("http://127.0.0.1:" + port + "/not-mcp");

        // When
        LaneException e = assertThrows(LaneException.class,
                () -> lane.execute(call(wrongPath, "echo", args("message", "x"), Duration.ofSeconds(10))).await().atMost(WAIT));

        // Then
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
        assertEquals(404, e.detail().get("status").asInt());
    }

    @Test
    void refusesTheLegacySseTransportWithAClearMessage() {
        // Given
        McpServerConfig legacy = McpServerConfig.newBuilder().setTransport("sse").setUrl("http://127.0.0.1:" + port + "/sse").build();

        // When
        LaneException e = assertThrows(LaneException.class,
                () -> lane.execute(call(legacy, "echo", args("message", "x"), Duration.ofSeconds(10))).await().atMost(WAIT));

        // Then: refused before any request
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
        assertTrue(e.getMessage().contains("Streamable HTTP"), e.getMessage());
        assertTrue(http.sent.isEmpty());
    }
}
