package dev.executor.invoker;

import static dev.executor.invoker.support.Tools.binding;
import static dev.executor.invoker.support.Tools.param;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.ParameterLocation;
import dev.executor.common.v1.SideEffect;
import dev.executor.contracts.Topics;
import dev.executor.invoker.support.FakeDownstreams;
import dev.executor.invoker.support.Tools;
import dev.executor.invoker.support.Upstream;
import dev.executor.launcher.infra.FreePorts;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;

/**
 * Two packaged invoker-service processes in one consumer group drain a burst of asynchronous
 * requests while one of them is killed ({@code SIGKILL}, no goodbye). Every request must end in
 * exactly one terminal Run, none may reach the upstream twice, and the survivor must take over
 * the dead one's partitions. Real PostgreSQL, Kafka and Keycloak; catalog, policy, secrets-proxy
 * and run-ledger are the stand-ins of {@link FakeDownstreams}, running in this JVM.
 */
class InvokerScalingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 6;

    private static final List<Process> invokers = new ArrayList<>();
    private static final FakeDownstreams fakes = new FakeDownstreams();
    private static Map<String, String> config;
    private static String bootstrap;

    @BeforeAll
    static void startTwoInvokers() throws Exception {
        PostgresResource pg = new PostgresResource();
        pg.init(Map.of(PostgresResource.DB_ARG, "invoker"));
        config = new HashMap<>(pg.start());
        config.putAll(new KafkaResource().start());
        config.putAll(new KeycloakResource().start());
        config.putAll(fakes.start());
        bootstrap = config.get("kafka.bootstrap.servers");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(Topics.INVOCATION_REQUESTS, PARTITIONS, (short) 1))).all().get();
        }
        invokers.add(start("invoker-a"));
        invokers.add(start("invoker-b"));
    }

    @AfterAll
    static void stopEverything() {
        invokers.forEach(Process::destroyForcibly);
        fakes.stop();
    }

    @Test
    void aKilledInvokerLosesNoRequestAndRunsNoneTwice() throws Exception {
        // Given a write tool whose upstream takes 100 ms, so the burst is still draining when an invoker dies
        String address = Tools.http("scaled_write", SideEffect.WRITE,
                "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"string\"}},\"required\":[\"k\"]}",
                binding("POST", "/pause").addParameters(param("k", ParameterLocation.QUERY, true)).build());
        String token = "Bearer " + KeycloakResource.tokens().agent();
        List<String> firstBurst = keys(300);
        List<String> secondBurst = keys(100);

        // When a burst arrives, and one invoker is killed once a third of it reached the upstream
        produce(address, firstBurst, token);
        await().atMost(Duration.ofMinutes(2)).until(() -> Upstream.get().seen("/pause").size() >= 100);
        invokers.get(0).destroyForcibly().waitFor();
        // and a second burst arrives after the death
        produce(address, secondBurst, token);

        // Then every request ends in exactly one terminal Run
        List<String> all = new ArrayList<>(firstBurst);
        all.addAll(secondBurst);
        Map<String, List<JsonNode>> terminals = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(InvokerScalingIT::terminalsByKey, t -> t.keySet().containsAll(all));
        for (String key : all) {
            assertEquals(1, terminals.get(key).stream().map(e -> e.get("runId").asText()).distinct().count(),
                    "one Run for " + key);
            assertEquals(1, terminals.get(key).stream().map(e -> e.get("sequence").asLong()).distinct().count(),
                    "one terminal transition for " + key);
        }
        // and none reached the upstream twice
        Map<String, Long> executions = Upstream.get().seen("/pause").stream()
                .collect(Collectors.groupingBy(s -> s.rawQuery().substring(2), Collectors.counting()));
        executions.forEach((key, count) -> assertEquals(1L, count, key + " executed " + count + " times"));
        // and the survivor took over the dead invoker's partitions: the second burst ran to success
        long secondSucceeded = secondBurst.stream().filter(k -> terminals.get(k).get(0).get("type").asText().equals("RunSucceeded"))
                .count();
        assertEquals(secondBurst.size(), secondSucceeded);
        // Runs the dead invoker had in flight failed with the reason, not silently
        Set<String> failedReasons = new HashSet<>();
        terminals.values().stream().flatMap(List::stream).filter(e -> e.get("type").asText().equals("RunFailed"))
                .forEach(e -> failedReasons.add(e.at("/error/reason").asText()));
        assertTrue(failedReasons.isEmpty() || failedReasons.equals(Set.of("UNAVAILABLE")), failedReasons.toString());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static Process start(String instance) throws Exception {
        int port = FreePorts.pick();
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dinvoker.instance-id=" + instance, "-Dinvoker.call.timeout=3s", "-Dinvoker.call.lease-margin=2s",
                "-Dinvoker.call.recovery-every=2s",
                "-Dmp.messaging.incoming.invocation-requests.session.timeout.ms=8000",
                "-Dmp.messaging.incoming.invocation-requests.heartbeat.interval.ms=2000"));
        for (var e : config.entrySet()) {
            if (!e.getKey().endsWith("test-port")) {
                command.add("-D" + e.getKey() + "=" + e.getValue());
            }
        }
        command.add("-jar");
        command.add(jar.toString());
        Path log = Files.createTempFile("executor-" + instance, ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("INVOKER_DB_PASSWORD", "invoker");
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(instance + " exited; log: " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return process;
    }

    private static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(UUID.randomUUID().toString());
        }
        return keys;
    }

    private static void produce(String address, List<String> keys, String token) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (String key : keys) {
                ObjectNode data = JSON.createObjectNode().put("type", "InvocationRequested").put("idempotencyKey", key)
                        .put("address", address).put("requestedAt", Instant.now().toString());
                data.set("arguments", JSON.createObjectNode().put("k", key));
                ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", UUID.randomUUID().toString())
                        .put("source", "/tests/scaling").put("type", "dev.executor.InvocationRequested");
                ce.set("data", data);
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.INVOCATION_REQUESTS, key, ce.toString());
                record.headers().add(Topics.AUTHORIZATION_HEADER, token.getBytes(StandardCharsets.UTF_8));
                record.headers().add(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Terminal run events so far, by idempotency key. */
    private static Map<String, List<JsonNode>> terminalsByKey() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "scaling-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, List<JsonNode>> byKey = new HashMap<>();
        Set<String> seenEventIds = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.RUN_EVENTS));
            int empty = 0;
            while (empty < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    empty++;
                }
                for (var r : records) {
                    JsonNode ce = JSON.readTree(r.value());
                    JsonNode data = ce.get("data");
                    String type = data.get("type").asText();
                    // at-least-once delivery may repeat an event (same CloudEvent id): count it once
                    if (seenEventIds.add(ce.get("id").asText())
                            && Set.of("RunSucceeded", "RunFailed", "RunBlocked", "RunCancelled").contains(type)) {
                        byKey.computeIfAbsent(data.at("/context/idempotencyKey").asText(), k -> new ArrayList<>()).add(data);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return byKey;
    }
}
