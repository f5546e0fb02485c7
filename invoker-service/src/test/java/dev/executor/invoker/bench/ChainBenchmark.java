package dev.executor.invoker.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.Surface;
import dev.executor.contracts.Topics;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.InvokerServiceGrpc;
import dev.executor.invoker.v1.InvokerServiceGrpc.InvokerServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * The full chain, measured against a running platform (not a test): a loopback upstream served by
 * this JVM is registered as an OpenAPI source with a connection (credential injected by
 * secrets-proxy); then the same GET is timed directly and through {@code InvokerService.Invoke}
 * (invoker → catalog (cached) → policy → secrets-proxy → upstream, Run recorded), sequentially
 * and concurrently, and through Kafka (requests until their terminal run events). Results go in
 * docs/benchmarks.md, "Invoker". Run it with {@code bench/invoke-chain.sh}.
 *
 * <pre>
 * ChainBenchmark sync  [samples] [threads] [invokerPorts,comma,separated]
 * ChainBenchmark async [requests]
 * </pre>
 * Ports: EXECUTOR_CATALOG_PORT, EXECUTOR_SECRETS_PORT, EXECUTOR_KEYCLOAK_PORT, EXECUTOR_KAFKA_PORT
 * (defaults as ./executor up).
 */
public final class ChainBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static final String KEYCLOAK = "http://127.0.0.1:" + env("EXECUTOR_KEYCLOAK_PORT", "8180");
    private static final String CATALOG = "http://127.0.0.1:" + env("EXECUTOR_CATALOG_PORT", "8081");
    private static final String SECRETS = "http://127.0.0.1:" + env("EXECUTOR_SECRETS_PORT", "8083");
    private static final String KAFKA = "127.0.0.1:" + env("EXECUTOR_KAFKA_PORT", "9092");

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "sync";
        System.out.printf("JVM %s, %d cores, load average %.2f%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        upstream.setExecutor(Executors.newFixedThreadPool(16));
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            byte[] body = ("{\"id\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\",\"name\":\"Widget\",\"quantity\":3}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int upstreamPort = upstream.getAddress().getPort();
        String source = setUp(upstreamPort);
        String address = source + ".acme.work.get_item";
        try {
            switch (mode) {
                case "sync" -> sync(address, upstreamPort, args.length > 1 ? Integer.parseInt(args[1]) : 2000,
                        args.length > 2 ? Integer.parseInt(args[2]) : 16, args.length > 3 ? args[3] : env("EXECUTOR_INVOKER_PORT", "8084"));
                case "async" -> async(address, args.length > 1 ? Integer.parseInt(args[1]) : 5000);
                case "mcp" -> mcp(address, upstreamPort, args.length > 1 ? Integer.parseInt(args[1]) : 2000,
                        Arrays.stream((args.length > 2 ? args[2] : "1,4,16,64").split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray());
                default -> throw new IllegalArgumentException("mode: sync | async | mcp");
            }
        } finally {
            upstream.stop(0);
        }
        System.exit(0);
    }

    // ---- set-up through the admin APIs -------------------------------------------------------

    private static String setUp(int upstreamPort) throws Exception {
        String admin = token("grant_type=password&client_id=executor-cli&username=dev&password=dev");
        String name = "bench" + randomLetters(6);
        String openapi = """
                {"openapi":"3.0.3","info":{"title":"Bench","version":"1"},"servers":[{"url":"http://127.0.0.1:%d"}],
                 "components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},"security":[{"bearer":[]}],
                 "paths":{"/items/{id}":{"get":{"operationId":"getItem","parameters":[{"name":"id","in":"path","required":true,
                 "schema":{"type":"string"}}],"responses":{"200":{"description":"ok"}}}}}}""".formatted(upstreamPort);
        JsonNode src = JSON.readTree(post(CATALOG + "/api/sources", admin,
                JSON.writeValueAsString(java.util.Map.of("name", name, "kind", "openapi", "scope", "org:acme", "document", openapi))));
        List<String> hosts = new ArrayList<>();
        src.get("declaredHosts").forEach(h -> hosts.add(h.asText()));
        post(SECRETS + "/api/connections", admin, JSON.writeValueAsString(java.util.Map.of("scope", "org:acme", "source", name,
                "sourceId", src.get("id").asText(), "name", "work", "auth", java.util.Map.of("kind", "bearer"),
                "secretValues", java.util.Map.of("token", "bench-" + UUID.randomUUID()), "hosts", hosts,
                "egress", List.of(java.util.Map.of("host", "127.0.0.1", "port", upstreamPort)))));
        System.out.printf("source %s registered with a connection; upstream on :%d%n", name, upstreamPort);
        return name;
    }

    // ---- sync ----------------------------------------------------------------------------------

    private static void sync(String address, int upstreamPort, int samples, int threads, String invokerPorts) throws Exception {
        String service = token("grant_type=client_credentials&client_id=mcp-gateway&client_secret=mcp-gateway-secret");
        String agent = token("grant_type=client_credentials&client_id=executor-agent&client_secret=executor-agent-secret");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(agent.split("\\.")[1]));
        Principal principal = Principal.newBuilder().setSubject(claims.get("sub").asText()).setUsername(claims.path("preferred_username")
                .asText()).addRoles("executor-agent").setAgent(true).setClientId("executor-agent").setOrg("acme").addWorkspaces("payments")
                .build();
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + service);
        List<ManagedChannel> channels = new ArrayList<>();
        List<InvokerServiceBlockingStub> stubs = new ArrayList<>();
        for (String port : invokerPorts.split(",")) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(port.trim())).usePlaintext().build();
            channels.add(channel);
            stubs.add(InvokerServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth)));
        }
        AtomicInteger next = new AtomicInteger();
        java.util.function.Supplier<InvokeResponse> invoke = () -> stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size()))
                .invoke(InvokeRequest.newBuilder().setPrincipal(principal).setAddress(address).setArgumentsJson("{\"id\":\"w-1\"}")
                        .setSurface(Surface.CODE).setWait(com.google.protobuf.Duration.newBuilder().setSeconds(10)).build());
        // wait until the catalog knows the connection (an event away)
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            try {
                InvokeResponse r = invoke.get();
                if (r.getStatus() == RunStatus.SUCCEEDED) {
                    break;
                }
                throw new IllegalStateException(r.toString());
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
        HttpRequest direct = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstreamPort + "/items/w-1"))
                .header("Authorization", "Bearer direct").build();
        int warmup = Math.min(1000, samples);
        for (int i = 0; i < warmup; i++) {
            HTTP.send(direct, HttpResponse.BodyHandlers.ofString());
            check(invoke.get());
        }
        long[] directNs = new long[samples];
        long[] chainNs = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            HTTP.send(direct, HttpResponse.BodyHandlers.ofString());
            long t1 = System.nanoTime();
            check(invoke.get());
            long t2 = System.nanoTime();
            directNs[i] = t1 - t0;
            chainNs[i] = t2 - t1;
        }
        System.out.printf("sequential, %d calls, %d invoker(s)%n", samples, stubs.size());
        print("  direct GET", directNs);
        print("  Invoke (full chain)", chainNs);
        Arrays.sort(directNs);
        Arrays.sort(chainNs);
        System.out.printf("  added: p50 %.2f ms, p99 %.2f ms%n", (pct(chainNs, 50) - pct(directNs, 50)) / 1e6,
                (pct(chainNs, 99) - pct(directNs, 99)) / 1e6);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int perThread = Math.max(1, samples / threads);
        long[] concurrentNs = new long[perThread * threads];
        AtomicInteger idx = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    long t0 = System.nanoTime();
                    check(invoke.get());
                    concurrentNs[idx.getAndIncrement()] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("concurrent, %d threads, %d calls: %.0f calls/s%n", threads, concurrentNs.length, concurrentNs.length / seconds);
        print("  Invoke (full chain)", concurrentNs);
        pool.shutdown();
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private static void check(InvokeResponse r) {
        if (r.getStatus() != RunStatus.SUCCEEDED) {
            throw new IllegalStateException("call did not succeed: " + r);
        }
    }

    // ---- async ---------------------------------------------------------------------------------

    private static void async(String address, int requests) throws Exception {
        String agent = token("grant_type=client_credentials&client_id=executor-agent&client_secret=executor-agent-secret");
        String tag = "bench-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, tag);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c);
                KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            consumer.subscribe(List.of(Topics.RUN_EVENTS));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                String key = tag + "-" + i;
                String value = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/bench\","
                        + "\"type\":\"dev.executor.InvocationRequested\",\"data\":{\"type\":\"InvocationRequested\",\"idempotencyKey\":\""
                        + key + "\",\"address\":\"" + address + "\",\"arguments\":{\"id\":\"w-" + i + "\"},\"replySubject\":\"" + tag
                        + "\",\"requestedAt\":\"" + Instant.now() + "\"}}";
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.INVOCATION_REQUESTS, key, value);
                record.headers().add(Topics.AUTHORIZATION_HEADER, ("Bearer " + agent).getBytes(StandardCharsets.UTF_8));
                record.headers().add(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
            double produced = (System.nanoTime() - start) / 1e9;
            Set<String> done = new HashSet<>();
            int failed = 0;
            Instant deadline = Instant.now().plusSeconds(600);
            while (done.size() < requests && Instant.now().isBefore(deadline)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (!r.value().contains(tag)) {
                        continue;
                    }
                    JsonNode data = JSON.readTree(r.value()).get("data");
                    String type = data.get("type").asText();
                    if (type.equals("RunSucceeded") || type.equals("RunFailed") || type.equals("RunBlocked")) {
                        if (done.add(data.at("/context/idempotencyKey").asText()) && !type.equals("RunSucceeded")) {
                            failed++;
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("async: %d requests produced in %.2f s; %d terminal (%d not succeeded) after %.2f s: %.0f requests/s%n",
                    requests, produced, done.size(), failed, seconds, done.size() / seconds);
        }
    }

    // ---- mcp: the agent's path, gateway → invoker → policy → secrets-proxy → upstream ---------

    private static final String GATEWAY = "http://127.0.0.1:" + env("EXECUTOR_GATEWAY_PORT", "8080") + "/mcp";
    private static final HttpClient MCP_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();

    /** One MCP session (Streamable HTTP, as any client speaks it) calling {@code execute}. */
    private static final class McpSession {
        private final String token;
        private final String id;
        private final AtomicInteger ids = new AtomicInteger(1);

        McpSession(String token) throws Exception {
            this.token = token;
            HttpResponse<String> init = MCP_HTTP.send(request(null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}"),
                    HttpResponse.BodyHandlers.ofString());
            id = init.headers().firstValue("Mcp-Session-Id").orElseThrow(() -> new IllegalStateException("initialize: " + init.body()));
            MCP_HTTP.send(request(id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.discarding());
        }

        String execute(String address) throws Exception {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"tools/call\",\"params\":{\"name\":\"execute\","
                    + "\"arguments\":{\"tool\":\"" + address + "\",\"arguments\":{\"id\":\"w-1\"}}}}";
            return MCP_HTTP.send(request(id, body), HttpResponse.BodyHandlers.ofString()).body();
        }

        private HttpRequest request(String session, String body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GATEWAY)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (session != null) {
                b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
            }
            return b.build();
        }
    }

    private static void checkMcp(String body) {
        if (!body.contains("Widget") || body.contains("\"isError\":true")) {
            throw new IllegalStateException("execute did not succeed: " + body);
        }
    }

    private static void mcp(String address, int upstreamPort, int samples, int[] concurrency) throws Exception {
        String agent = token("grant_type=client_credentials&client_id=executor-agent&client_secret=executor-agent-secret");
        McpSession session = new McpSession(agent);
        Instant deadline = Instant.now().plusSeconds(60); // until the catalog knows the connection (an event away)
        while (true) {
            try {
                checkMcp(session.execute(address));
                break;
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
        HttpRequest direct = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstreamPort + "/items/w-1"))
                .header("Authorization", "Bearer direct").build();
        for (int i = 0; i < Math.min(1000, samples); i++) {
            HTTP.send(direct, HttpResponse.BodyHandlers.ofString());
            checkMcp(session.execute(address));
        }
        long[] directNs = new long[samples];
        long[] mcpNs = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            HTTP.send(direct, HttpResponse.BodyHandlers.ofString());
            long t1 = System.nanoTime();
            checkMcp(session.execute(address));
            directNs[i] = t1 - t0;
            mcpNs[i] = System.nanoTime() - t1;
        }
        System.out.printf("sequential, %d MCP execute calls on one session%n", samples);
        print("  direct GET", directNs);
        print("  MCP execute (gateway + full chain)", mcpNs);
        Arrays.sort(directNs);
        Arrays.sort(mcpNs);
        System.out.printf("  added: p50 %.2f ms, p99 %.2f ms%n", (pct(mcpNs, 50) - pct(directNs, 50)) / 1e6,
                (pct(mcpNs, 99) - pct(directNs, 99)) / 1e6);

        for (int clients : concurrency) {
            List<McpSession> sessions = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                sessions.add(new McpSession(agent));
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            int perClient = Math.max(1, samples / clients);
            long[] concurrentNs = new long[perClient * clients];
            AtomicInteger idx = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (McpSession s : sessions) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        long t0 = System.nanoTime();
                        checkMcp(s.execute(address));
                        concurrentNs[idx.getAndIncrement()] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("concurrent, %d MCP sessions, %d calls: %.0f calls/s%n", clients, concurrentNs.length,
                    concurrentNs.length / seconds);
            print("  MCP execute (gateway + full chain)", concurrentNs);
            pool.shutdown();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String token(String form) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(KEYCLOAK + "/realms/executor/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static String post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String randomLetters(int n) {
        Random random = new Random();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void print(String label, long[] ns) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf("%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", label, pct(sorted, 50) / 1e6, pct(sorted, 90) / 1e6,
                pct(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
