package dev.executor.gateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.google.protobuf.util.Durations;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Surface;
import dev.executor.gateway.FakeDownstreams;
import dev.executor.gateway.FakeDownstreamsResource;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokerServiceGrpc;
import dev.executor.testsupport.KeycloakResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * MCP {@code execute} through the gateway (HTTP/1.1 keep-alive, JSON-RPC, token verification,
 * principal, gRPC to a fake invoker that answers at once) side by side with a direct gRPC
 * {@code Invoke} to the same fake: sequential p50/p99 and calls/s at 1, 4, 16 and 64 concurrent
 * clients. Client, gateway and fake share one JVM and the machine's cores, so absolute numbers are
 * pessimistic; the difference is what the gateway adds. Not part of the build (asserts nothing,
 * skipped unless {@code -Dbench=true}); run it with {@code bench/mcp-gateway-execute.sh}. Results
 * are printed and written to {@code target/bench/mcp-execute.txt}.
 */
@QuarkusTest
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreamsResource.class)
@EnabledIfSystemProperty(named = "bench", matches = "true")
class ExecuteBenchmark {

    private static final int WARMUP = Integer.getInteger("bench.warmup", 3000);
    private static final int SAMPLES = Integer.getInteger("bench.samples", 5000);
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("bench.seconds", 10));

    @TestHTTPResource("/mcp")
    URI mcp;

    @Test
    void measureExecute() throws Exception {
        FakeDownstreams.recording = false;
        try {
            run();
        } finally {
            FakeDownstreams.recording = true;
        }
    }

    private void run() throws Exception {
        String token = KeycloakResource.tokens().agent();
        int invokerPort = ConfigProvider.getConfig().getValue("quarkus.grpc.clients.invoker.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", invokerPort).usePlaintext().build();
        InvokerServiceGrpc.InvokerServiceBlockingStub direct = InvokerServiceGrpc.newBlockingStub(channel);
        InvokeRequest invoke = InvokeRequest.newBuilder().setPrincipal(Principal.newBuilder().setSubject("bench").setUsername("bench"))
                .setAddress(FakeDownstreams.PREFIX + "get_pet").setArgumentsJson("{\"id\":7}").setSurface(Surface.MCP)
                .setWait(Durations.fromSeconds(30)).build();
        StringBuilder report = new StringBuilder();

        McpSession seq = new McpSession(mcp, token);
        for (int i = 0; i < WARMUP; i++) {
            seq.execute();
            direct.invoke(invoke);
        }
        long[] viaGateway = new long[SAMPLES];
        long[] viaGrpc = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t0 = System.nanoTime();
            seq.execute();
            long t1 = System.nanoTime();
            direct.invoke(invoke);
            long t2 = System.nanoTime();
            viaGateway[i] = t1 - t0;
            viaGrpc[i] = t2 - t1;
        }
        Arrays.sort(viaGateway);
        Arrays.sort(viaGrpc);
        report.append(String.format(Locale.ROOT, "sequential (%d samples)      p50 ms   p99 ms%n", SAMPLES));
        report.append(String.format(Locale.ROOT, "  MCP execute via gateway   %7.3f  %7.3f%n", ms(viaGateway, 0.50), ms(viaGateway, 0.99)));
        report.append(String.format(Locale.ROOT, "  direct gRPC Invoke        %7.3f  %7.3f%n", ms(viaGrpc, 0.50), ms(viaGrpc, 0.99)));
        report.append(String.format(Locale.ROOT, "  added by the gateway      %7.3f  %7.3f%n",
                ms(viaGateway, 0.50) - ms(viaGrpc, 0.50), ms(viaGateway, 0.99) - ms(viaGrpc, 0.99)));
        report.append(String.format(Locale.ROOT, "throughput (%d s each)      MCP calls/s   gRPC calls/s%n", WINDOW.toSeconds()));
        for (int clients : new int[] { 1, 4, 16, 64 }) {
            double gateway = throughput(clients, () -> new McpSession(mcp, token)::execute);
            double grpc = throughput(clients, () -> () -> direct.invoke(invoke));
            report.append(String.format(Locale.ROOT, "  %2d clients                %10.0f   %12.0f%n", clients, gateway, grpc));
        }
        long rss = rssKiB();
        report.append(String.format(Locale.ROOT, "RSS of this JVM (client + gateway + fake) after the runs: %d MiB%n", rss / 1024));
        channel.shutdownNow();
        System.out.println("\n=== mcp-gateway execute benchmark ===\n" + report);
        Path out = Path.of("target/bench/mcp-execute.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    private interface Call {
        void run() throws Exception;
    }

    private interface CallFactory {
        Call create() throws Exception;
    }

    private static double throughput(int clients, CallFactory factory) throws Exception {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            calls.add(factory.create());
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        LongAdder done = new LongAdder();
        CountDownLatch finished = new CountDownLatch(clients);
        long end = System.nanoTime() + WINDOW.toNanos();
        for (Call call : calls) {
            pool.execute(() -> {
                try {
                    while (System.nanoTime() < end) {
                        call.run();
                        done.increment();
                    }
                } catch (Exception e) {
                    System.err.println("bench client failed: " + e);
                } finally {
                    finished.countDown();
                }
            });
        }
        finished.await();
        pool.shutdown();
        return done.sum() / (double) WINDOW.toSeconds();
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** One MCP client: an initialized session, then {@code execute} of get_pet over JSON-RPC. */
    static final class McpSession {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI uri;
        private final String token;
        private final String session;
        private final String body = new JsonObject().put("jsonrpc", "2.0").put("id", 2).put("method", "tools/call")
                .put("params", new JsonObject().put("name", "execute").put("arguments", new JsonObject()
                        .put("tool", FakeDownstreams.PREFIX + "get_pet").put("arguments", new JsonObject().put("id", 7))))
                .encode();

        McpSession(URI uri, String token) throws Exception {
            this.uri = uri;
            this.token = token;
            HttpResponse<String> init = post(new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "initialize")
                    .put("params", new JsonObject().put("protocolVersion", "2025-06-18").put("capabilities", new JsonObject())
                            .put("clientInfo", new JsonObject().put("name", "bench").put("version", "1")))
                    .encode(), null);
            this.session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            post(new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized").encode(), session);
        }

        void execute() throws Exception {
            HttpResponse<String> r = post(body, session);
            if (r.statusCode() != 200 || !r.body().contains("Rex")) {
                throw new IllegalStateException("execute answered " + r.statusCode() + ": " + r.body());
            }
        }

        private HttpResponse<String> post(String json, String sessionId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("MCP-Protocol-Version", "2025-06-18").POST(HttpRequest.BodyPublishers.ofString(json));
            if (sessionId != null) {
                b.header("Mcp-Session-Id", sessionId);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
