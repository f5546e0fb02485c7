package dev.executor.invoker.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.contracts.Topics;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.RunCancelled;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.Surface;
import dev.executor.invoker.persistence.RunStore;
import dev.executor.invoker.persistence.RunStore.OutboxRow;
import dev.executor.invoker.support.FakeDownstreams;
import dev.executor.invoker.support.RunEvents;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.KeycloakResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The outbox relay under a burst: every event reaches the topic exactly once and in its run's
 * order, and the relayed rows leave the outbox promptly (well before the sweep would consider them
 * stale and send them a second time). Real PostgreSQL and Kafka.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "invoker"))
@WithTestResource(KafkaResource.class)
@WithTestResource(KeycloakResource.class)
@WithTestResource(FakeDownstreams.class)
class RunEventPublisherTest {

    @Inject
    RunStore store;

    @Inject
    RunEventPublisher publisher;

    @Test
    void aBurstOfTransitionsIsSentOnceInOrderAndLeavesTheOutbox() {
        // Given: 150 "transitions" of 4 events each (600 events, more than one flush threshold), each committed
        // to the outbox and then relayed, as Invocations does
        String key = UUID.randomUUID().toString();
        List<UUID> ids = new ArrayList<>();
        long sequence = 0;
        for (int transition = 0; transition < 150; transition++) {
            List<OutboxRow> rows = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                rows.add(publisher.row(event(key, ++sequence)));
            }
            store.events(rows).await().atMost(Duration.ofSeconds(10));
            publisher.relay(rows);
            rows.forEach(r -> ids.add(r.id()));
        }

        // Then: the outbox empties within a few seconds (the sweep only resends rows 10 s old)
        await().atMost(Duration.ofSeconds(6)).until(() -> inOutbox(ids) == 0);
        // and the topic holds each event once, in sequence order
        List<JsonNode> sent = RunEvents.read(Topics.RUN_EVENTS).stream().filter(r -> key.equals(r.key())).map(RunEvents.Rec::json).toList();
        Map<String, Long> perId = sent.stream().collect(Collectors.groupingBy(e -> e.get("id").asText(), Collectors.counting()));
        assertEquals(ids.size(), perId.size(), "every event on the topic");
        assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "no event sent twice");
        List<Long> order = sent.stream().map(e -> e.at("/data/sequence").asLong()).toList();
        assertEquals(order.stream().sorted().toList(), order, "events of a run in the order they were written");
        assertEquals(ids.stream().map(UUID::toString).toList(), sent.stream().map(e -> e.get("id").asText()).toList());
        // and nothing is left waiting for a delete
        await().atMost(Duration.ofSeconds(3)).until(() -> publisher.waiting() == 0);
    }

    private long inOutbox(List<UUID> ids) {
        return store.pool().preparedQuery("SELECT count(*) FROM outbox WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    private static RunCancelled event(String runId, long sequence) {
        RunContext context = new RunContext("bench.default.none.noop", "1", List.of(PrincipalRef.human("alice", "alice")), null,
                Surface.REST, null, "sha256:" + "0".repeat(64), null, null, null, null, null);
        return new RunCancelled(runId, sequence, Instant.now(), context, PrincipalRef.human("alice", "alice"), "relay test");
    }
}
