package dev.executor.invoker.lane.mcp;

import static dev.executor.invoker.lane.mcp.McpTestSupport.MAPPER;
import static dev.executor.invoker.lane.mcp.McpTestSupport.args;
import static dev.executor.invoker.lane.mcp.McpTestSupport.call;
import static dev.executor.invoker.lane.mcp.McpTestSupport.config;
import static dev.executor.invoker.lane.mcp.McpTestSupport.stdio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.executor.catalog.v1.LaneFacts;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.catalog.v1.ProcessBinding;
import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.Principal;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.lane.process.ProcessLane;
import dev.executor.invoker.lane.process.ProcessLaneConfig;
import io.smallrye.mutiny.Uni;

/**
 * Lane benchmarks (not a test): warm stdio MCP call latency against server-everything's
 * {@code echo}, the same over Streamable HTTP on loopback (direct hop, no secrets-proxy), the
 * per-call cost of a fresh stdio server (what Executor 1.5.9 paid on every call), and process-lane
 * call latency ({@code /bin/echo}). Results go in docs/benchmarks.md, "Invoker lanes".
 *
 * <pre>
 * ./mvnw -o -pl invoker-service test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * cd invoker-service && java -cp target/test-classes:target/classes:$(cat target/bench.cp) \
 *     dev.executor.invoker.lane.mcp.LaneBenchmark [stdio|http|cold|process|all] [calls]
 * </pre>
 * Run from {@code invoker-service/}: server-everything is installed into {@code target/} on first use.
 */
public final class LaneBenchmark {

    record ProcessConfig(Optional<List<String>> allowedExecutables, Optional<String> path, Map<String, String> env, int maxOutputBytes,
            Duration defaultTimeout, int maxConcurrent) implements ProcessLaneConfig {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length == 0 ? "all" : args[0];
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        System.out.printf("JVM %s, %d cores, node %s, server-everything %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), nodeVersion(), ServerEverything.VERSION);
        if (what.equals("stdio") || what.equals("all")) {
            stdioWarm(calls);
        }
        if (what.equals("http") || what.equals("all")) {
            httpWarm(calls);
        }
        if (what.equals("cold") || what.equals("all")) {
            stdioCold(10);
        }
        if (what.equals("process") || what.equals("all")) {
            processLane(Math.min(calls, 500));
        }
        System.exit(0);
    }

    static void stdioWarm(int calls) {
        McpLane lane = new McpLane(config(stdio(List.of("node"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
        McpServerConfig server = McpTestSupport.stdioServer();
        try {
            AtomicInteger n = new AtomicInteger();
            Supplier<Uni<LaneResult>> echo = () -> lane.execute(call(server, "echo", args("message", "m" + n.incrementAndGet()),
                    Duration.ofSeconds(30)));
            sequential("stdio MCP echo (warm, 1 process)", echo, 300, calls);
            concurrent("stdio MCP echo (warm, <= 2 processes)", echo, 16, calls * 2);
        } finally {
            lane.close();
        }
    }

    static void httpWarm(int calls) throws Exception {
        int port = ServerEverything.freePort();
        Process upstream = ServerEverything.startStreamableHttp(port);
        McpLane lane = new McpLane(config(stdio(List.of(), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
        McpServerConfig server = McpTestSupport.httpServer("http://127.0.0.1:" + port + "/mcp");
        try {
            AtomicInteger n = new AtomicInteger();
            Supplier<Uni<LaneResult>> echo = () -> lane.execute(call(server, "echo", args("message", "m" + n.incrementAndGet()),
                    Duration.ofSeconds(30)));
            sequential("Streamable HTTP MCP echo (warm session, direct hop)", echo, 300, calls);
        } finally {
            lane.close();
            upstream.destroyForcibly();
        }
    }

    /** A new server process per call: start, initialize, call, stop. */
    static void stdioCold(int calls) {
        McpServerConfig server = McpTestSupport.stdioServer();
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            McpLane lane = new McpLane(config(stdio(List.of("node"), Duration.ofMinutes(10))), new DirectMcpHttp(), MAPPER);
            long t = System.nanoTime();
            lane.execute(call(server, "echo", args("message", "cold"), Duration.ofSeconds(30))).await().atMost(Duration.ofSeconds(60));
            ms[i] = (System.nanoTime() - t) / 1e6;
            lane.close();
        }
        report("stdio MCP echo, new process per call (1.5.9 behaviour)", ms);
    }

    static void processLane(int calls) {
        ProcessLane lane = new ProcessLane(new ProcessConfig(Optional.of(List.of("/bin/echo")), Optional.empty(), Map.of(), 1 << 20,
                Duration.ofSeconds(30), 16), MAPPER);
        ResolveToolResponse tool = ResolveToolResponse.newBuilder().setLane(LaneFacts.newBuilder().setLane("process")
                .setProcess(ProcessBinding.newBuilder().setExecutable("/bin/echo").addArgsTemplate("{{\"n\": {n}}}"))).build();
        AtomicInteger n = new AtomicInteger();
        Supplier<Uni<LaneResult>> echo = () -> lane.execute(new LaneCall("bench", tool, args("n", n.incrementAndGet()),
                Principal.getDefaultInstance(), Duration.ofSeconds(30), null));
        sequential("process lane /bin/echo (fork+exec, JSON stdout)", echo, 50, calls);
    }

    static void sequential(String name, Supplier<Uni<LaneResult>> call, int warmup, int calls) {
        for (int i = 0; i < warmup; i++) {
            call.get().await().atMost(Duration.ofSeconds(60));
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            LaneResult r = call.get().await().atMost(Duration.ofSeconds(60));
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (r.toolError()) {
                throw new IllegalStateException("tool error: " + r.output());
            }
        }
        report(name + ", sequential", ms);
    }

    static void concurrent(String name, Supplier<Uni<LaneResult>> call, int inFlight, int calls) {
        long t = System.nanoTime();
        int done = 0;
        while (done < calls) {
            List<Uni<LaneResult>> batch = new ArrayList<>();
            for (int i = 0; i < inFlight && done + i < calls; i++) {
                batch.add(call.get());
            }
            Uni.join().all(batch).andFailFast().await().atMost(Duration.ofSeconds(60));
            done += batch.size();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        System.out.printf("%-70s %d calls, %d in flight: %.0f calls/s%n", name + ", concurrent", calls, inFlight, calls / seconds);
    }

    static void report(String name, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("%-70s n=%d p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n", name, sorted.length, pct(sorted, 50),
                pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1]);
    }

    static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(i, sorted.length - 1))];
    }

    static String nodeVersion() {
        try {
            Process p = new ProcessBuilder(ServerEverything.node(), "--version").start();
            return new String(p.getInputStream().readAllBytes()).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
