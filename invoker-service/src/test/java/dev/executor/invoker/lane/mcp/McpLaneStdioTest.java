package dev.executor.invoker.lane.mcp;

import static dev.executor.invoker.lane.mcp.McpTestSupport.MAPPER;
import static dev.executor.invoker.lane.mcp.McpTestSupport.args;
import static dev.executor.invoker.lane.mcp.McpTestSupport.call;
import static dev.executor.invoker.lane.mcp.McpTestSupport.config;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdio;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdioServer;
import static dev.executor.invoker.lane.mcp.McpTestSupport.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import io.smallrye.mutiny.Uni;

/** The MCP lane's stdio transport against the real npm server-everything, run with node. */
class McpLaneStdioTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static McpLane lane;
    private static McpServerConfig server;

    @BeforeAll
    static void startLane() {
        server = stdioServer();
        lane = new McpLane(config(stdio(List.of("node"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
    }

    @AfterAll
    static void stopLane() {
        if (lane != null) {
            lane.close();
        }
    }

    private static LaneResult run(String tool, ObjectNode arguments) {
        return run(server, tool, arguments);
    }

    private static LaneResult run(McpServerConfig on, String tool, ObjectNode arguments) {
        return lane.execute(call(on, tool, arguments, Duration.ofSeconds(30))).await().atMost(WAIT);
    }

    @Test
    void callsTheEchoTool() {
        // When
        LaneResult result = run("echo", args("message", "hello from Executor"));

        // Then
        assertEquals("Echo: hello from Executor", text(result.output()));
        assertFalse(result.toolError());
    }

    @Test
    void callsTheSumTool() {
        // When
        LaneResult result = run("get-sum", args("a", 2, "b", 40));

        // Then
        assertEquals("The sum of 2 and 40 is 42.", text(result.output()));
    }

    @Test
    void reportsAnIsErrorResultAsToolError() {
        // When: the server's own input validation refuses the call
        LaneResult result = run("echo", args("message", 12));

        // Then
        assertTrue(result.toolError());
        assertTrue(result.output().get("isError").asBoolean());
    }

    @Test
    void reusesOneLongLivedProcessForSequentialCalls() {
        // Given
        McpServerConfig own = stdioServer("reuse");
        run(own, "echo", args("message", "warm-up"));
        List<Long> before = lane.stdioPids(own);

        // When
        for (int i = 0; i < 20; i++) {
            assertEquals("Echo: " + i, text(run(own, "echo", args("message", Integer.toString(i))).output()));
        }

        // Then: the same single process answered every call
        assertEquals(1, before.size());
        assertEquals(before, lane.stdioPids(own));
        assertTrue(ServerEverything.children().stream().anyMatch(p -> p.pid() == before.get(0)));
    }

    @Test
    void multiplexesConcurrentCallsOverAtMostTheConfiguredProcesses() {
        // Given
        McpServerConfig own = stdioServer("concurrent");
        List<Uni<LaneResult>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(lane.execute(call(own, "echo", args("message", "m" + i), Duration.ofSeconds(30))));
        }

        // When
        List<LaneResult> results = Uni.join().all(calls).andFailFast().await().atMost(WAIT);

        // Then: every call got its own answer
        Set<String> texts = new HashSet<>();
        results.forEach(r -> texts.add(text(r.output())));
        for (int i = 0; i < 40; i++) {
            assertTrue(texts.contains("Echo: m" + i));
        }
        assertTrue(lane.stdioPids(own).size() <= 2, "processes: " + lane.stdioPids(own));
    }

    @Test
    void failsPendingCallsAndRestartsTheServerAfterItCrashes() {
        // Given: a running server with a call in flight
        McpServerConfig own = stdioServer("crash");
        run(own, "echo", args("message", "warm-up"));
        long crashed = lane.stdioPids(own).get(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        lane.execute(call(own, "trigger-long-running-operation", args("duration", 30, "steps", 1), Duration.ofSeconds(60)))
                .subscribe().with(r -> {
                }, failure::set);

        // When: the process dies
        ProcessHandle.of(crashed).ifPresent(ProcessHandle::destroyForcibly);

        // Then: the pending call fails as an upstream error, and the next call runs on a new process
        await().atMost(WAIT).until(() -> failure.get() != null);
        LaneException e = (LaneException) failure.get();
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
        assertTrue(e.retryable());
        assertEquals("Echo: after crash", text(run(own, "echo", args("message", "after crash")).output()));
        List<Long> now = lane.stdioPids(own);
        assertFalse(now.contains(crashed));
        assertEquals(1, now.size());
    }

    @Test
    void timesOutACallAndKeepsTheServerRunning() {
        // Given
        McpServerConfig own = stdioServer("timeout");
        run(own, "echo", args("message", "warm-up"));
        List<Long> before = lane.stdioPids(own);

        // When: the tool takes 10 s, the call allows 500 ms
        LaneException e = assertThrows(LaneException.class, () -> lane.execute(call(own, "trigger-long-running-operation",
                args("duration", 10, "steps", 1), Duration.ofMillis(500))).await().atMost(WAIT));

        // Then: the call timed out, and the same process still serves calls
        assertEquals(ErrorReasons.UPSTREAM_TIMEOUT, e.reason());
        assertEquals("Echo: still here", text(run(own, "echo", args("message", "still here")).output()));
        assertEquals(before, lane.stdioPids(own));
    }

    @Test
    void givesTheServerOnlyPathAndTheConfiguredEnvironment() throws Exception {
        // When: server-everything's get-env prints its process environment
        LaneResult result = run("get-env", args());

        // Then: nothing of this JVM's environment (HOME, JAVA_HOME, ...) but PATH
        JsonNode env = MAPPER.readTree(text(result.output()));
        Set<String> names = new HashSet<>();
        env.fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("PATH", "EXECUTOR_LANE"), names);
        assertEquals("mcp", env.get("EXECUTOR_LANE").asText());
    }

    @Test
    void refusesACommandThatIsNotAllowed() {
        // Given: a lane that allows only npx
        McpLane strict = new McpLane(config(stdio(List.of("npx"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
        try {
            // When
            LaneException e = assertThrows(LaneException.class,
                    () -> strict.execute(call(server, "echo", args("message", "x"), Duration.ofSeconds(5))).await().atMost(WAIT));

            // Then: refused, and nothing was started
            assertEquals(ErrorReasons.PERMISSION_DENIED, e.reason());
            assertTrue(e.getMessage().contains("invoker.mcp.stdio.allowed-commands"), e.getMessage());
            assertTrue(strict.stdioPids(server).isEmpty());
        } finally {
            strict.close();
        }
    }

    @Test
    void stopsAnIdleServerAndStartsANewOneOnTheNextCall() {
        // Given: a lane whose servers may idle for 1 s
        McpLane idle = new McpLane(config(stdio(List.of("node"), Duration.ofSeconds(1))), new DirectMcpHttp(), MAPPER);
        try {
            idle.execute(call(server, "echo", args("message", "x"), Duration.ofSeconds(30))).await().atMost(WAIT);
            long first = idle.stdioPids(server).get(0);

            // When: nothing calls for a while
            await().atMost(WAIT).until(() -> idle.stdioPids(server).isEmpty());

            // Then: the process is gone, and the next call starts a new one
            await().atMost(WAIT).until(() -> ProcessHandle.of(first).map(p -> !p.isAlive()).orElse(true));
            LaneResult again = idle.execute(call(server, "echo", args("message", "back"), Duration.ofSeconds(30))).await().atMost(WAIT);
            assertEquals("Echo: back", text(again.output()));
            assertNotEquals(first, idle.stdioPids(server).get(0));
        } finally {
            idle.close();
        }
    }

    @Test
    void stopsEveryServerProcessOnClose() {
        // Given: a second lane with a running server
        McpLane other = new McpLane(config(stdio(List.of("node"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
        other.execute(call(server, "echo", args("message", "x"), Duration.ofSeconds(30))).await().atMost(WAIT);
        long pid = other.stdioPids(server).get(0);

        // When
        other.close();

        // Then: the process and the threads that served it are gone
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertTrue(other.stdioPids(server).isEmpty());
        await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("mcp-stdio-") && t.getName().endsWith("-" + pid)));
    }

    @Test
    void failsAndBacksOffWhenTheServerCannotStart() {
        // Given: a command that exits at once instead of speaking MCP
        McpServerConfig broken = McpServerConfig.newBuilder().setTransport("stdio").setCommand("false").build();
        McpLane strict = new McpLane(config(new McpTestSupport.Stdio(Optional.of(List.of("false")), Optional.empty(), Map.of(), 2, 64,
                Duration.ofMinutes(10), Duration.ofSeconds(10), 1 << 20, Duration.ofMinutes(1))), new DirectMcpHttp(), MAPPER);
        try {
            // When
            LaneException first = assertThrows(LaneException.class,
                    () -> strict.execute(call(broken, "echo", args(), Duration.ofSeconds(10))).await().atMost(WAIT));
            LaneException second = assertThrows(LaneException.class,
                    () -> strict.execute(call(broken, "echo", args(), Duration.ofSeconds(10))).await().atMost(WAIT));

            // Then: the first says why, the second is refused without starting it again
            assertEquals(ErrorReasons.UPSTREAM_ERROR, first.reason());
            assertTrue(first.getMessage().contains("exited with code 1"), first.getMessage());
            assertEquals(ErrorReasons.UPSTREAM_ERROR, second.reason());
            assertTrue(second.getMessage().contains("failed to start 1 time(s) in a row"), second.getMessage());
            assertTrue(second.retryable());
        } finally {
            strict.close();
        }
    }
}
