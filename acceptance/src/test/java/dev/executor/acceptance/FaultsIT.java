package dev.executor.acceptance;

import static dev.executor.acceptance.McpAgent.call;
import static dev.executor.acceptance.McpAgent.text;
import static dev.executor.acceptance.Platform.enc;
import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Components die and come back while the platform works, through {@code ./executor restart},
 * {@code kill} (SIGKILL, as a crash) and {@code scale}: a pending approval outlives restarts of the
 * ledger, the invoker and the gateway and then runs exactly once; under a steady stream of Kafka
 * requests the invoker, the ledger and the broker are each killed and restarted, and every
 * accepted request still ends in exactly one terminal Run; an MCP client whose gateway replica dies
 * between {@code initialize} and its call carries on against the other replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "blocked", "denied", "expired", "cancelled");
    static Platform platform;
    static String admin;

    @BeforeAll
    static void platformAndApi() {
        platform = Platform.get();
        admin = platform.userToken("dev", "dev");
        Inventory.ensure(platform);
        // the tool is callable (the catalog has learned of the connection, an event away)
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> !McpAgent.run(
                platform.url("gateway") + "/mcp", platform.agentToken(),
                List.of(call("execute", Map.of("tool", "inventory.acme.work.get_item", "arguments", Map.of("id", "warm")))))
                .at("/results/0/isError").asBoolean());
    }

    @Test
    @Order(1)
    void aPendingApprovalSurvivesRestartsOfTheLedgerTheInvokerAndTheGatewayAndThenRunsOnce() {
        // Given an agent's write, waiting for a human
        String name = "Survivor-" + UUID.randomUUID();
        JsonNode out = McpAgent.run(platform.url("gateway") + "/mcp", platform.agentToken(), List.of(call("execute",
                Map.of("tool", "inventory.acme.work.create_item", "arguments", Map.of("name", name, "quantity", 1)))));
        JsonNode pending = json(text(out.at("/results/0")));
        assertEquals("PENDING_APPROVAL", pending.path("status").asText(), pending.toString());
        String runId = pending.get("run_id").asText();

        // When the ledger, the invoker and the gateway all restart
        platform.run(Duration.ofMinutes(5), "restart", "run-ledger", "invoker-service", "mcp-gateway");

        // Then the approval is still in the approver's inbox, and approving it runs the call
        String approver = platform.userToken("approver", "approver");
        var inbox = platform.get(platform.url("ledger") + "/api/approvals", approver);
        assertEquals(200, inbox.statusCode(), inbox.body());
        assertTrue(inbox.body().contains(runId), "pending after the restarts: " + inbox.body());
        assertEquals(0, posts(name), "nothing ran before the approval");
        var approved = platform.post(platform.url("ledger") + "/api/approvals/" + runId + "/approve", approver, Map.of("comment", "ok"));
        assertEquals(200, approved.statusCode(), approved.body());

        JsonNode status = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(
                () -> McpAgent.run(platform.url("gateway") + "/mcp", platform.agentToken(),
                        List.of(call("run_status", Map.of("run_id", runId)))).at("/results/0"),
                r -> !r.path("isError").asBoolean() && text(r).contains(name));
        // exactly once: one POST upstream, and it stays one
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> posts(name) == 1);
        JsonNode run = json(platform.get(platform.url("ledger") + "/api/runs/" + runId, admin).body());
        assertEquals("succeeded", run.path("status").asText().toLowerCase(), run.toString());
        assertEquals("approver", run.at("/approvals/0/decidedBy").asText(), run.toString());
        assertTrue(text(status).contains(name));
    }

    @Test
    @Order(2)
    void everyAcceptedRequestEndsInExactlyOneTerminalRunWhileTheInvokerTheLedgerAndTheBrokerAreKilled() throws Exception {
        Instant from = Instant.now().minusSeconds(60);
        Map<String, Boolean> accepted = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        String agent = platform.agentToken();

        // Given a team's service submitting reads on Kafka, about 10 a second, the whole time
        Thread load = Thread.ofPlatform().name("faults-load").start(() -> {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
                while (!stop.get()) {
                    String key = "fault-" + UUID.randomUUID();
                    producer.send(Platform.invocationRequest("faults", key, "inventory.acme.work.get_item", "{\"id\":\"" + key + "\"}", agent),
                            (meta, error) -> {
                                if (error == null) {
                                    accepted.put(key, true);
                                } else {
                                    refused.incrementAndGet();
                                }
                            });
                    sleep(100);
                }
                producer.flush();
            }
        });

        // When the invoker, then the ledger, then the broker are killed and restarted under it
        sleep(4000);
        for (String component : List.of("invoker-service", "run-ledger", "kafka")) {
            platform.run(Duration.ofMinutes(1), "kill", component);
            sleep(3000);
            platform.run(Duration.ofMinutes(5), "restart", component);
            sleep(4000);
        }
        stop.set(true);
        load.join(60_000);
        assertTrue(accepted.size() > 100, "the load ran: " + accepted.size() + " accepted, " + refused.get() + " refused");

        // Then every accepted request has exactly one Run in the ledger, and it is terminal
        Map<String, List<String>> runs = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).until(
                () -> runsByKey(from), byKey -> accepted.keySet().stream()
                        .allMatch(k -> byKey.containsKey(k) && TERMINAL.contains(byKey.get(k).get(0))));
        List<String> notOnce = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String key : accepted.keySet()) {
            List<String> statuses = runs.get(key);
            if (statuses.size() != 1) {
                notOnce.add(key + "=" + statuses);
            }
            outcomes.merge(statuses.get(0), 1, Integer::sum);
        }
        System.out.printf("FaultsIT load: %d accepted, %d refused while the broker was down; outcomes %s%n", accepted.size(),
                refused.get(), outcomes);
        assertEquals(List.of(), notOnce, "requests with other than exactly one Run");
        runs.forEach((key, statuses) -> assertEquals(1, statuses.size(), key + " has " + statuses));
        // most succeed; the few in flight when the invoker died are failed with a reason, never left running
        assertTrue(outcomes.getOrDefault("succeeded", 0) > accepted.size() / 2, outcomes.toString());
        assertEquals(Set.of(), Set.copyOf(outcomes.keySet().stream().filter(s -> !Set.of("succeeded", "failed").contains(s)).toList()),
                outcomes.toString());
    }

    @Test
    @Order(3)
    void anMcpClientCarriesOnAgainstAnotherReplicaWhenItsGatewayDiesAfterInitialize() throws Exception {
        platform.run(Duration.ofMinutes(5), "scale", "mcp-gateway", "2");
        Path dir = Files.createTempDirectory("failover");
        Path ready = dir.resolve("ready");
        Path go = dir.resolve("go");
        try (Balancer balancer = new Balancer(platform.url("gateway"))) {
            // Given an agent that initialized its session through the balancer on replica 1
            McpAgent.Running agent = McpAgent.start(balancer.url() + "/mcp", platform.agentToken(),
                    List.of(call("execute", Map.of("tool", "inventory.acme.work.get_item", "arguments", Map.of("id", "after-failover")))),
                    Map.of("READY_FILE", ready.toString(), "GO_FILE", go.toString()));
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ready) || !agent.process().isAlive());
            assertTrue(Files.exists(ready), "the client initialized: " + Files.readString(agent.stderr()));

            // When replica 1 dies and the balancer sends everything to replica 2
            platform.run(Duration.ofMinutes(1), "kill", "mcp-gateway");
            balancer.target("http://127.0.0.1:" + platform.replicaPort("mcp-gateway.2"));
            Files.writeString(go, "go");

            // Then the client's call on the same session succeeds there
            JsonNode out = McpAgent.finish(agent);
            JsonNode result = out.at("/results/0");
            assertFalse(result.path("isError").asBoolean(), result.toString());
            assertTrue(text(result).contains("after-failover"), result.toString());
        } finally {
            platform.run(Duration.ofMinutes(5), "restart", "mcp-gateway");
            platform.run(Duration.ofMinutes(2), "scale", "mcp-gateway", "1");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    static long posts(String name) {
        return Inventory.postBodies.stream().filter(b -> b.contains(name)).count();
    }

    /** Every Run of the inventory source since {@code from}, grouped by idempotency key: their statuses. */
    static Map<String, List<String>> runsByKey(Instant from) {
        var export = platform.get(platform.url("ledger") + "/api/runs/export?source=inventory&from=" + enc(from.toString()), admin);
        assertEquals(200, export.statusCode(), export.body());
        Map<String, List<String>> byKey = new HashMap<>();
        export.body().lines().filter(l -> !l.isBlank()).map(Platform::json).forEach(run -> {
            String key = run.path("idempotencyKey").asText("");
            if (key.startsWith("fault-")) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(run.path("status").asText().toLowerCase());
            }
        });
        return byKey;
    }

    static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // while the broker is down a send fails within seconds; only acknowledged sends count as accepted
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return props;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
