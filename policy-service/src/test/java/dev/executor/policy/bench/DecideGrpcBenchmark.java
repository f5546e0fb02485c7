package dev.executor.policy.bench;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.ReviewState;
import dev.executor.common.v1.Scope;
import dev.executor.common.v1.SideEffect;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceAdded;
import dev.executor.contracts.events.SourceStatus;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Policy;
import dev.executor.policy.TestKafka;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.PolicyServiceGrpc;
import dev.executor.policy.v1.PolicyServiceGrpc.PolicyServiceBlockingStub;
import dev.executor.policy.v1.PolicyServiceGrpc.PolicyServiceStub;
import dev.executor.policy.v1.ToolFacts;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Decide over gRPC on loopback, through the real server (HTTP/2, token check, snapshot), with the
 * {@link BenchWorld}: 1,000 policies written through the admin API and 10,000 tool addresses
 * placed through catalog/connection events. Not part of the build (asserts nothing, skipped unless
 * {@code -Dbench=true}); run it with {@code bench/policy-decide.sh grpc}. Client and server share
 * the JVM and its 2 cores.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "policy"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
@EnabledIfSystemProperty(named = "bench", matches = "true")
class DecideGrpcBenchmark {

    @GrpcClient("self")
    PolicyServiceBlockingStub policy;

    @Test
    void measureDecideOverGrpc() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        BenchWorld world = new BenchWorld();
        PrincipalRef by = PrincipalRef.human("bench", "bench");
        for (SourcePlacement s : world.sources) {
            TestKafka.send("/executor/catalog-service", new SourceAdded(s.sourceId(), s.name(), s.kind(),
                    new ScopeRef(s.scope().kind(), s.scope().id()), SourceStatus.CONNECTED, List.of(), null, 100, by, Instant.now()));
        }
        for (ConnectionPlacement c : world.connections) {
            TestKafka.send("/executor/secrets-proxy", new ConnectionCreated(c.connectionId(),
                    new ConnectionRef(new ScopeRef(c.scope().kind(), c.scope().id()), c.sourceName(), c.name()), c.sourceId(),
                    List.of(), by, Instant.now()));
        }
        String admin = OidcStubResource.tokens().admin();
        long writeStart = System.nanoTime();
        for (Policy p : world.policies) {
            var body = new java.util.HashMap<String, Object>(Map.of("scope", p.scope().toString(), "attachedKind",
                    p.attachedKind().wire(), "attachedId", p.attachedId(), "verdict", p.verdict().wire(),
                    "approvalMode", p.approvalMode().wire()));
            if (p.toolGlob() != null) {
                body.put("toolGlob", p.toolGlob());
            }
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/policies").then().statusCode(201);
        }
        long writeMillis = (System.nanoTime() - writeStart) / 1_000_000;
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("scope", "org:acme", "name", "triage", "addresses", world.toolkits.get(0).addressGlobs()))
                .post("/api/toolkits").then().statusCode(201);

        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + OidcStubResource.tokens().service("invoker-service"));
        PolicyServiceBlockingStub stub = policy.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        Principal alice = Principal.newBuilder().setUsername("alice")
                .addScopeChain(Scope.newBuilder().setKind("org").setId("acme"))
                .addScopeChain(Scope.newBuilder().setKind("workspace").setId("payments"))
                .addScopeChain(Scope.newBuilder().setKind("user").setId("alice")).build();
        // The placements arrive as events: wait until the visible part of the world stops growing. (Search
        // hides blocked tools, so "every address visible" is not the condition.)
        FilterVisibleRequest everything = FilterVisibleRequest.newBuilder().setPrincipal(alice).addAllCandidateAddresses(world.addresses).build();
        int[] seen = { -1 };
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            int visible = stub.filterVisible(everything).getVisibleAddressesCount();
            boolean settled = visible > 0 && visible == seen[0];
            seen[0] = visible;
            return settled;
        });
        SideEffect[] effects = {SideEffect.READ, SideEffect.WRITE, SideEffect.DESTRUCTIVE};
        List<DecideRequest> requests = new java.util.ArrayList<>();
        for (int i = 0; i < world.addresses.size(); i++) {
            requests.add(DecideRequest.newBuilder().setPrincipal(alice).setToolkit((i & 1) == 0 ? "" : "triage")
                    .setAddress(world.addresses.get((int) ((i * 7919L) % world.addresses.size())))
                    .setTool(ToolFacts.newBuilder().setSideEffect(effects[i % 3]).setReviewState(ReviewState.ACCEPTED)).build());
        }

        for (int i = 0; i < 30_000; i++) {
            stub.decide(requests.get(i % requests.size()));
        }
        int samples = 50_000;
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            stub.decide(requests.get(i % requests.size()));
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);

        int[] concurrencies = {4, 16};
        StringBuilder throughput = new StringBuilder();
        for (int threads : concurrencies) {
            LongAdder done = new LongAdder();
            long start = System.nanoTime();
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int offset = t * 977;
                workers[t] = Thread.ofPlatform().start(() -> {
                    int i = offset;
                    while (System.nanoTime() - start < 5_000_000_000L) {
                        stub.decide(requests.get(i++ % requests.size()));
                        done.increment();
                    }
                });
            }
            for (Thread w : workers) {
                w.join();
            }
            throughput.append(String.format(Locale.ROOT, "%,.0f decisions/s with %d concurrent callers; ",
                    done.sum() / ((System.nanoTime() - start) / 1e9), threads));
        }

        // Pipelined, as a reactive caller (the invoker) uses the service: async stubs, a bounded number of
        // calls in flight, spread over two HTTP/2 connections so both server event loops work. The
        // callbacks run on the channel's Netty thread (directExecutor), as a caller on an event loop
        // handles them; grpc-java's default hands each callback to a thread pool, which on 2 shared
        // cores costs the client about a third of its throughput (15.4k vs 23.0k/s, docs/benchmarks.md).
        int port = ConfigProvider.getConfig().getValue("quarkus.grpc.clients.self.port", Integer.class);
        List<ManagedChannel> channels = List.of(
                ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build(),
                ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build());
        try {
            for (int inFlight : new int[] { 64, 256 }) {
                pipelined(channels, headers, requests, inFlight, 2); // warm-up
                // Three consecutive 5 s windows, each reported: one window is not a result.
                double[] rates = new double[3];
                for (int w = 0; w < rates.length; w++) {
                    rates[w] = pipelined(channels, headers, requests, inFlight, 5);
                }
                throughput.append(String.format(Locale.ROOT, "%,.0f / %,.0f / %,.0f decisions/s pipelined (%d in flight over 2 connections, three 5 s windows); ",
                        rates[0], rates[1], rates[2], inFlight));
            }
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }

        System.out.printf(Locale.ROOT, "%nBENCH world: %d policies (written through REST in %d ms), %d tools (%d visible to alice)%n",
                world.policies.size(), writeMillis, world.addresses.size(), seen[0]);
        System.out.printf(Locale.ROOT, "BENCH Decide over gRPC (loopback, sequential, %d calls): p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs%n",
                samples, DecideBenchmark.micros(nanos, 0.50), DecideBenchmark.micros(nanos, 0.99),
                DecideBenchmark.micros(nanos, 0.999));
        System.out.println("BENCH Decide over gRPC throughput: " + throughput);
    }

    /** Decisions per second over {@code seconds}, keeping {@code inFlight} async calls outstanding round-robin over the channels. */
    private static double pipelined(List<ManagedChannel> channels, Metadata headers, List<DecideRequest> requests, int inFlight,
            int seconds) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong failures = new AtomicLong();
        LongAdder done = new LongAdder();
        List<PolicyServiceStub> stubs = channels.stream()
                .map(c -> PolicyServiceGrpc.newStub(c).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)))
                .toList();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            slots.acquire();
            stubs.get(i % stubs.size()).decide(requests.get(i % requests.size()), new StreamObserver<>() {
                @Override
                public void onNext(DecideResponse value) {
                    done.increment();
                }

                @Override
                public void onError(Throwable t) {
                    failures.incrementAndGet();
                    slots.release();
                }

                @Override
                public void onCompleted() {
                    slots.release();
                }
            });
        }
        slots.acquire(inFlight);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " pipelined Decide calls failed");
        }
        return done.sum() / elapsed;
    }
}
