package dev.executor.invoker;

import static dev.executor.invoker.support.Tools.ALICE;
import static dev.executor.invoker.support.Tools.binding;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.common.v1.RunStatus;
import dev.executor.common.v1.SideEffect;
import dev.executor.common.v1.Surface;
import dev.executor.common.v1.Verdict;
import dev.executor.contracts.Topics;
import dev.executor.invoker.support.FakeDownstreams;
import dev.executor.invoker.support.Fakes;
import dev.executor.invoker.support.RunEvents;
import dev.executor.invoker.support.Tools;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.InvokerServiceGrpc.InvokerServiceBlockingStub;
import dev.executor.policy.v1.ApprovalMode;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Kafka surfaces: invocation requests teams put on {@code executor.invocation.requests}, and
 * approval decisions from run-ledger on {@code executor.approval.decisions}. Records are produced
 * with a plain Kafka producer, as a team's service would, and outcomes read from run events.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "invoker"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreams.class)
class AsyncInvocationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("self")
    InvokerServiceBlockingStub invoker;

    @Test
    void executesAnAuthenticatedRequestAndPublishesItsOutcome() {
        // Given a tool and a request carrying an agent's token
        String address = Tools.http("async_echo", SideEffect.READ, "{\"type\":\"object\"}", binding("GET", "/echo/async").build());
        String key = UUID.randomUUID().toString();

        // When
        send(request(key, address, "{\"q\":1}", "team-a/42"), "Bearer " + KeycloakResource.tokens().agent());

        // Then the run's events carry the key and reply subject, and it succeeded as the token's subject
        JsonNode last = await().atMost(Duration.ofSeconds(30)).until(() -> terminal(key), e -> e != null);
        assertEquals("RunSucceeded", last.get("type").asText(), last.toString());
        assertEquals("team-a/42", last.at("/context/replySubject").asText());
        assertEquals("kafka", last.at("/context/surface").asText());
        assertFalse(last.at("/context/principalChain/0/subject").asText().isEmpty());
        assertEquals(1, Fakes.forwardedFor(last.get("runId").asText()).size());
        // and the principal from the token was given its scope chain before anything downstream saw it
        var principal = Fakes.forwardedFor(last.get("runId").asText()).get(0).getPrincipal();
        assertEquals("org:acme", principal.getScopeChain(0).getKind() + ":" + principal.getScopeChain(0).getId());
        assertEquals("acme", principal.getOrg());
    }

    @Test
    void aRedeliveredRequestWithTheSameKeyExecutesOnce() {
        // Given
        String address = Tools.http("async_once", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/echo/once").build());
        String key = UUID.randomUUID().toString();
        String token = "Bearer " + KeycloakResource.tokens().agent();

        // When the same request arrives three times
        for (int i = 0; i < 3; i++) {
            send(request(key, address, "{}", null), token);
        }

        // Then one Run, one upstream request
        JsonNode last = await().atMost(Duration.ofSeconds(30)).until(() -> terminal(key), e -> e != null);
        String runId = last.get("runId").asText();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> runIds(key).size() == 1);
        assertEquals(1, Fakes.forwardedFor(runId).size());
    }

    @Test
    void neverExecutesARequestWithoutAValidTokenAndDeadLettersItWithoutTheToken() {
        // Given
        String address = Tools.http("async_guarded", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/echo/guarded").build());
        String key = UUID.randomUUID().toString();
        String forged = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5IiwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbImV4ZWN1dG9yLWFkbWluIl19fQ.";

        // When a request arrives with a forged (unsigned) admin token
        send(request(key, address, "{}", null), forged);

        // Then it becomes a failed Run with the reason, nothing reaches the upstream
        JsonNode last = await().atMost(Duration.ofSeconds(30)).until(() -> terminal(key), e -> e != null);
        assertEquals("RunFailed", last.get("type").asText());
        assertEquals("UNAUTHENTICATED", last.at("/error/reason").asText());
        assertTrue(Fakes.forwardedFor(last.get("runId").asText()).isEmpty());
        // and the record is on the dead-letter topic with the reason, its token stripped
        RunEvents.Rec dead = await().atMost(Duration.ofSeconds(20)).until(() -> RunEvents.read(Topics.dlq(Topics.INVOCATION_REQUESTS))
                .stream().filter(r -> r.value().contains(key)).findFirst().orElse(null), r -> r != null);
        assertTrue(dead.headers().get(Topics.DLQ_REASON_HEADER).startsWith("UNAUTHENTICATED"));
        assertFalse(dead.headers().containsKey(Topics.AUTHORIZATION_HEADER));
        assertFalse(dead.value().contains(forged.substring(7)));
    }

    @Test
    void deadLettersARecordThatIsNotARequest() {
        String marker = "not-a-request-" + UUID.randomUUID();

        send(marker, "Bearer " + KeycloakResource.tokens().agent());

        RunEvents.Rec dead = await().atMost(Duration.ofSeconds(20)).until(() -> RunEvents.read(Topics.dlq(Topics.INVOCATION_REQUESTS))
                .stream().filter(r -> r.value().contains(marker)).findFirst().orElse(null), r -> r != null);
        assertTrue(dead.headers().get(Topics.DLQ_REASON_HEADER).startsWith("not JSON"));
    }

    @Test
    void resumesAnApprovedRunAfterCheckingPolicyAgain() throws Exception {
        // Given a pending Run
        String address = Tools.http("approve_me", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/echo/approved").build());
        Fakes.decision(address, DecideResponse.newBuilder().setVerdict(Verdict.REQUIRE_APPROVAL).setVisible(true).setPolicyVersion(3)
                .setApprovalMode(ApprovalMode.ANY).build());
        InvokeResponse pending = invoker().invoke(InvokeRequest.newBuilder().setPrincipal(ALICE).setAddress(address)
                .setArgumentsJson("{\"amount\":5}").setSurface(Surface.MCP).build());
        assertEquals(RunStatus.PENDING_APPROVAL, pending.getStatus());

        // When an approver grants it (the event run-ledger emits)
        ObjectNode granted = JSON.createObjectNode().put("type", "ApprovalGranted").put("runId", pending.getRunId())
                .put("decidedAt", Instant.now().toString()).put("comment", "ok");
        granted.set("decidedBy", JSON.createObjectNode().put("subject", "sub-approver").put("username", "approver").put("agent", false));
        granted.set("arguments", JSON.readTree("{\"amount\":5}"));
        sendTo(Topics.APPROVAL_DECISIONS, pending.getRunId(), envelope(granted), null);

        // Then it runs once, after an approval event naming the approver
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(
                List.of("RunRequested", "RunPendingApproval", "RunApproved", "RunAdmitted", "RunStarted", "RunSucceeded"),
                RunEvents.of(pending.getRunId()).stream().map(e -> e.get("type").asText()).toList()));
        assertEquals("sub-approver", RunEvents.of(pending.getRunId()).get(2).at("/approvedBy/subject").asText());
        assertEquals(1, Fakes.forwardedFor(pending.getRunId()).size());

        // And a second delivery of the same decision changes nothing
        sendTo(Topics.APPROVAL_DECISIONS, pending.getRunId(), envelope(granted), null);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.forwardedFor(pending.getRunId()).size() == 1 && RunEvents.of(pending.getRunId()).size() == 6);
    }

    @Test
    void deniesAPendingRunWhenAnApproverSaysNo() {
        String address = Tools.http("deny_me", SideEffect.WRITE, "{\"type\":\"object\"}", binding("POST", "/echo/denied").build());
        Fakes.decision(address, DecideResponse.newBuilder().setVerdict(Verdict.REQUIRE_APPROVAL).setVisible(true).setPolicyVersion(3)
                .build());
        InvokeResponse pending = invoker().invoke(InvokeRequest.newBuilder().setPrincipal(ALICE).setAddress(address)
                .setArgumentsJson("{}").setSurface(Surface.MCP).build());

        ObjectNode denied = JSON.createObjectNode().put("type", "ApprovalDenied").put("runId", pending.getRunId())
                .put("decidedAt", Instant.now().toString()).put("comment", "not today");
        denied.set("decidedBy", JSON.createObjectNode().put("subject", "sub-approver").put("agent", false));
        sendTo(Topics.APPROVAL_DECISIONS, pending.getRunId(), envelope(denied), null);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("RunDenied",
                RunEvents.of(pending.getRunId()).get(RunEvents.of(pending.getRunId()).size() - 1).get("type").asText()));
        assertTrue(Fakes.forwardedFor(pending.getRunId()).isEmpty());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static String request(String key, String address, String arguments, String replySubject) {
        try {
            ObjectNode data = JSON.createObjectNode().put("type", "InvocationRequested").put("idempotencyKey", key)
                    .put("address", address).put("requestedAt", Instant.now().toString());
            data.set("arguments", JSON.readTree(arguments));
            if (replySubject != null) {
                data.put("replySubject", replySubject);
            }
            return envelope(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String envelope(ObjectNode data) {
        ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", UUID.randomUUID().toString())
                .put("source", "/tests").put("type", "dev.executor." + data.get("type").asText())
                .put("datacontenttype", "application/json");
        ce.set("data", data);
        return ce.toString();
    }

    private static void send(String value, String authorization) {
        sendTo(Topics.INVOCATION_REQUESTS, null, value, authorization);
    }

    private static void sendTo(String topic, String key, String value, String authorization) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            // as real producers send them: structured CloudEvents
            record.headers().add(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
            if (authorization != null) {
                record.headers().add(Topics.AUTHORIZATION_HEADER, authorization.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The terminal run event of the Run with this idempotency key, or null while there is none. */
    private static JsonNode terminal(String key) {
        return RunEvents.read(Topics.RUN_EVENTS).stream().map(r -> r.json().get("data"))
                .filter(d -> key.equals(d.at("/context/idempotencyKey").asText()))
                .filter(d -> List.of("RunSucceeded", "RunFailed", "RunBlocked").contains(d.get("type").asText()))
                .findFirst().orElse(null);
    }

    private static List<String> runIds(String key) {
        return RunEvents.read(Topics.RUN_EVENTS).stream().map(r -> r.json().get("data"))
                .filter(d -> key.equals(d.at("/context/idempotencyKey").asText())).map(d -> d.get("runId").asText()).distinct().toList();
    }

    private InvokerServiceBlockingStub invoker() {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + KeycloakResource.tokens().service("mcp-gateway"));
        return invoker.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
