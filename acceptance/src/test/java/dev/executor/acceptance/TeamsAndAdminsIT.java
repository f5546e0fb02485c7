package dev.executor.acceptance;

import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.contracts.Topics;

/**
 * An admin registers a real API (an OpenAPI document served by a loopback upstream), gives it a
 * connection with a secret, and sets a policy; a team then calls its tools over Kafka with an
 * agent's token; an approver lets a gated call through; an auditor reads every Run. All through
 * the public surfaces (REST, Kafka, Keycloak tokens) of the platform {@code ./executor up} starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TeamsAndAdminsIT {

    static final String SECRET = Inventory.SECRET;
    static Platform platform;
    static final List<String> authorizationsSeen = Inventory.authorizations;
    static final List<String> requestsSeen = Inventory.requests;
    static String admin;

    @BeforeAll
    static void platformAndUpstream() {
        platform = Platform.get();
        admin = platform.userToken("dev", "dev");
        Inventory.ensure(platform);
    }

    @Test
    @Order(1)
    void anAdminRegisteredASourceAConnectionAndAPolicy() {
        // The admin's imports and records (Inventory.ensure) came back as created
        assertEquals(3, Inventory.source.get("toolCount").asInt(), Inventory.source.toString());
        assertEquals("active", Inventory.connection.path("status").asText().toLowerCase(), Inventory.connection.toString());
        assertFalse(Inventory.connection.toString().contains(SECRET), "a secret value is write-only");
        assertEquals("block", Inventory.policy.path("verdict").asText().toLowerCase());

        // An agent token may do none of this
        String agent = platform.agentToken();
        assertEquals(403, platform.post(platform.url("policy") + "/api/policies", agent, Map.of("scope", "org:acme",
                "attachedKind", "source", "attachedId", "inventory", "verdict", "allow")).statusCode());
        assertEquals(403, platform.post(platform.url("catalog") + "/api/sources", agent,
                Map.of("name", "evil", "kind", "openapi", "scope", "org:acme", "document", Inventory.openapi())).statusCode());
    }

    @Test
    @Order(2)
    void aTeamCallsAToolOverKafkaAndReadsTheOutcomeFromRunEvents() {
        // Given the catalog has learned of the connection (an event away)
        String key = UUID.randomUUID().toString();

        // When a team's service submits a call with an agent's token
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            String attempt = UUID.randomUUID().toString();
            submit(attempt, "inventory.acme.work.get_item", "{\"id\":\"w-1\"}", platform.agentToken());
            JsonNode outcome = await().atMost(Duration.ofSeconds(30)).until(() -> terminal(attempt), e -> e != null);
            assertEquals("RunSucceeded", outcome.get("type").asText(), outcome.toString());
        });
        submit(key, "inventory.acme.work.get_item", "{\"id\":\"w-42\"}", platform.agentToken());

        // Then the run succeeded with the upstream's answer, and the credential reached only the upstream
        JsonNode outcome = await().atMost(Duration.ofSeconds(60)).until(() -> terminal(key), e -> e != null);
        assertEquals("RunSucceeded", outcome.get("type").asText(), outcome.toString());
        assertEquals("w-42", outcome.at("/output/inline/id").asText());
        assertTrue(authorizationsSeen.contains("Bearer " + SECRET), "secrets-proxy injected the credential");
    }

    @Test
    @Order(3)
    void aBlockedToolNeverReachesTheUpstream() {
        String key = UUID.randomUUID().toString();
        int before = requestsSeen.size();

        submit(key, "inventory.acme.work.delete_item", "{\"id\":\"w-1\"}", platform.agentToken());

        JsonNode outcome = await().atMost(Duration.ofSeconds(60)).until(() -> terminal(key), e -> e != null);
        assertEquals("RunBlocked", outcome.get("type").asText(), outcome.toString());
        assertEquals("POLICY_BLOCKED", outcome.at("/error/reason").asText());
        assertFalse(requestsSeen.subList(before, requestsSeen.size()).stream().anyMatch(r -> r.startsWith("DELETE")));
    }

    @Test
    @Order(4)
    void aGatedCallRunsOnlyAfterAHumanApprovesIt() {
        // Given a write, which needs approval by default
        String key = UUID.randomUUID().toString();
        long postsBefore = requestsSeen.stream().filter(r -> r.startsWith("POST")).count();
        submit(key, "inventory.acme.work.create_item", "{\"name\":\"Gadget\",\"quantity\":3}", platform.agentToken());
        JsonNode pending = await().atMost(Duration.ofSeconds(60)).until(() -> event(key, "RunPendingApproval"), e -> e != null);
        String runId = pending.get("runId").asText();
        assertEquals(postsBefore, requestsSeen.stream().filter(r -> r.startsWith("POST")).count(), "nothing ran yet");

        // The agent itself cannot approve
        var byAgent = platform.post(platform.url("ledger") + "/api/approvals/" + runId + "/approve", platform.agentToken(), "{}");
        assertEquals(403, byAgent.statusCode(), byAgent.body());

        // When an approver approves it in the ledger
        var approved = platform.post(platform.url("ledger") + "/api/approvals/" + runId + "/approve",
                platform.userToken("approver", "approver"), Map.of("comment", "fine"));
        assertEquals(200, approved.statusCode(), approved.body());

        // Then it runs and succeeds
        JsonNode outcome = await().atMost(Duration.ofSeconds(60)).until(() -> terminal(key), e -> e != null);
        assertEquals("RunSucceeded", outcome.get("type").asText(), outcome.toString());
        assertEquals("Gadget", outcome.at("/output/inline/created/name").asText());
        JsonNode run = await().atMost(Duration.ofSeconds(30)).until(
                () -> json(platform.get(platform.url("ledger") + "/api/runs/" + runId, admin).body()),
                r -> "succeeded".equalsIgnoreCase(r.path("status").asText()));
        assertEquals("approver", run.at("/approvals/0/decidedBy").asText(), run.toString());
    }

    @Test
    @Order(5)
    void anAuditorSeesEveryRunAndNoSecretAnywhere() {
        // When an auditor exports the history
        var export = platform.get(platform.url("ledger") + "/api/runs/export?source=inventory", admin);

        // Then the calls above are there, with their outcomes
        assertEquals(200, export.statusCode(), export.body());
        List<String> statuses = export.body().lines().map(l -> json(l).path("status").asText().toLowerCase()).toList();
        assertTrue(statuses.contains("succeeded"), statuses.toString());
        assertTrue(statuses.contains("blocked"), statuses.toString());
        // and the secret is in no Run, no run event, and no API answer
        assertFalse(export.body().contains(SECRET));
        assertFalse(allRunEvents().stream().anyMatch(v -> v.contains(SECRET)));
        assertFalse(platform.get(platform.url("secrets") + "/api/connections", admin).body().contains(SECRET));
    }

    // ---- Kafka, as a team's service uses it --------------------------------------------------

    static void submit(String key, String address, String arguments, String token) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, String> record = Platform.invocationRequest("acceptance", key, address, arguments, token);
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> allRunEvents() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "acceptance-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.RUN_EVENTS));
            int empty = 0;
            while (empty < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    empty++;
                }
                records.forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    static JsonNode event(String key, String type) {
        return allRunEvents().stream().map(v -> json(v).get("data"))
                .filter(d -> key.equals(d.at("/context/idempotencyKey").asText()) && type.equals(d.get("type").asText()))
                .findFirst().orElse(null);
    }

    static JsonNode terminal(String key) {
        return allRunEvents().stream().map(v -> json(v).get("data"))
                .filter(d -> key.equals(d.at("/context/idempotencyKey").asText()))
                .filter(d -> List.of("RunSucceeded", "RunFailed", "RunBlocked", "RunDenied", "RunExpired").contains(d.get("type").asText()))
                .findFirst().orElse(null);
    }
}
