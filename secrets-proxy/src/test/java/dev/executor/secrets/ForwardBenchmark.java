package dev.executor.secrets;

import static dev.executor.secrets.support.Fixtures.awaitReady;
import static dev.executor.secrets.support.Fixtures.dev;
import static dev.executor.secrets.support.Fixtures.ref;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.executor.secrets.support.Fixtures;
import dev.executor.secrets.support.SecretsProxyTestConfig;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.HttpRequest;
import dev.executor.secrets.v1.SecretsProxyGrpc;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * Benchmark harness, not a test (its name keeps it out of the default surefire run, and it asserts
 * nothing about time): the latency Forward adds over calling the same loopback upstream directly.
 *
 * <pre>./mvnw -pl secrets-proxy test -Dtest=ForwardBenchmark [-Dbench.calls=5000]</pre>
 *
 * Upstream: a Vert.x HTTP server on 127.0.0.1 answering 200 with a 64-byte body. Direct: JDK
 * HttpClient GET. Forward: gRPC {@code SecretsProxy.Forward} (service token) through a bearer
 * connection with a {@code stored://} secret, egress rule for the loopback port. Both sequential
 * (one caller) and with 32 concurrent callers over one channel/client; warm-up first. Writes
 * {@code target/forward-benchmark.md}.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "secrets"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(SecretsProxyTestConfig.class)
class ForwardBenchmark {

    interface Call {
        void run() throws Exception;
    }

    @Test
    void measureAddedLatencyOfForward() throws Exception {
        awaitReady();
        int calls = Integer.getInteger("bench.calls", 5000);
        Vertx vertx = Vertx.vertx();
        var server = vertx.createHttpServer().requestHandler(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"ok\":true,\"items\":[1,2,3],\"note\":\"sixty-four bytes of body....\"}"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        int port = server.actualPort();
        String url = "http://127.0.0.1:" + port + "/items";

        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scope", "org:acme");
        body.put("source", "bench");
        body.put("name", name);
        body.put("auth", Map.of("kind", "bearer"));
        body.put("secretValues", Map.of("token", "bench-token-" + UUID.randomUUID()));
        body.put("hosts", List.of("127.0.0.1:" + port));
        body.put("egress", List.of(Map.of("host", "127.0.0.1", "port", port)));
        Fixtures.create(KeycloakResource.tokens().admin(), body);

        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var request = java.net.http.HttpRequest.newBuilder(URI.create(url)).GET().build();
        var channel = Fixtures.channel();
        SecretsProxyGrpc.SecretsProxyBlockingStub stub = SecretsProxyGrpc.newBlockingStub(channel)
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(bearer(KeycloakResource.tokens().service("invoker-service"))));
        ForwardRequest forward = ForwardRequest.newBuilder().setConnectionRef(ref("org:acme", "bench", name)).setPrincipal(dev())
                .setRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(url)).build();
        Call directCall = () -> {
            if (direct.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() != 200) {
                throw new IllegalStateException("direct call failed");
            }
        };
        Call forwardCall = () -> {
            if (stub.forward(forward).getStatus() != 200) {
                throw new IllegalStateException("forward failed");
            }
        };

        // warm-up: JIT, pools, caches
        run(directCall, calls / 2, 1);
        run(forwardCall, calls / 2, 1);
        run(directCall, calls / 2, 32);
        run(forwardCall, calls / 2, 32);

        long[] directSeq = run(directCall, calls, 1);
        long[] forwardSeq = run(forwardCall, calls, 1);
        long[] direct32 = run(directCall, calls * 2, 32);
        long[] forward32 = run(forwardCall, calls * 2, 32);

        String report = "| Mode | Direct p50 | Direct p99 | Forward p50 | Forward p99 | Added p50 | Added p99 |\n"
                + "|---|---|---|---|---|---|---|\n"
                + row("sequential (1 caller), " + calls + " calls", directSeq, forwardSeq)
                + row("32 concurrent callers, " + (calls * 2) + " calls", direct32, forward32);
        System.out.println("\n" + report);
        Files.writeString(Path.of("target/forward-benchmark.md"), report);
        channel.shutdownNow();
        vertx.close();
    }

    private static io.grpc.Metadata bearer(String token) {
        io.grpc.Metadata m = new io.grpc.Metadata();
        m.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }

    private static String row(String mode, long[] direct, long[] forward) {
        return "| " + mode + " | " + ms(pct(direct, 50)) + " | " + ms(pct(direct, 99)) + " | " + ms(pct(forward, 50)) + " | "
                + ms(pct(forward, 99)) + " | " + ms(pct(forward, 50) - pct(direct, 50)) + " | "
                + ms(pct(forward, 99) - pct(direct, 99)) + " |\n";
    }

    private static long[] run(Call call, int total, int concurrency) throws Exception {
        long[] samples = new long[total];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            Future<?>[] workers = new Future<?>[concurrency];
            for (int w = 0; w < concurrency; w++) {
                workers[w] = pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        call.run();
                        samples[i] = System.nanoTime() - t0;
                    }
                    return null;
                });
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Arrays.sort(samples);
        return samples;
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }
}
