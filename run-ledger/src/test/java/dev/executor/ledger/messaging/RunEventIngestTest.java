package dev.executor.ledger.messaging;

import static dev.executor.ledger.LedgerFixture.awaitReady;
import static dev.executor.ledger.LedgerFixture.awaitStatus;
import static dev.executor.ledger.LedgerFixture.envelopes;
import static dev.executor.ledger.LedgerFixture.publish;
import static dev.executor.ledger.LedgerFixture.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.ledger.LedgerFixture;
import dev.executor.ledger.RunEvents;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Ingest of executor.run.events over a real broker into a real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "ledger"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
class RunEventIngestTest {

    @Test
    void foldsOutOfOrderAndDuplicatedEventsIntoOneRunWithAFullTimeline() {
        // Given a run's events, shuffled, with two of them delivered twice
        awaitReady();
        RunEvents run = new RunEvents("alice", "github.acme.work.issues_create", Instant.now());
        List<CloudEvent<RunEvent>> once = envelopes(run.lifecycle());
        List<CloudEvent<RunEvent>> delivered = List.of(once.get(3), once.get(1), once.get(3), once.get(0), once.get(2),
                once.get(1));

        // When
        publish(delivered);

        // Then
        awaitStatus(run.runId, "succeeded");
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("SELECT 1 FROM ledger.run_event WHERE run_id = '"
                + run.runId + "'").size() == 4);
        Map<String, String> row = rows("SELECT * FROM ledger.run WHERE id = '" + run.runId + "'").getFirst();
        assertEquals("4", row.get("last_sequence"));
        assertEquals("github", row.get("source"));
        assertEquals("acme", row.get("scope_id"));
        assertTrue(row.get("admitted_at") != null && row.get("started_at") != null && row.get("finished_at") != null);
        assertEquals(List.of("RunRequested", "RunAdmitted", "RunStarted", "RunSucceeded"),
                rows("SELECT type FROM ledger.run_event WHERE run_id = '" + run.runId + "' ORDER BY sequence").stream()
                        .map(r -> r.get("type")).toList());
    }

    @Test
    void replayingTheWholeRunEventTopicLeavesTheRunTableUnchanged() {
        // Given a ledger that has ingested a mix of runs
        awaitReady();
        List<CloudEvent<RunEvent>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RunEvents run = new RunEvents("replayer-" + (i % 3), "github.acme.work.tool" + i, Instant.now());
            all.addAll(envelopes(i % 4 == 0 ? List.of(run.requested(), run.pending(null)) : run.lifecycle()));
        }
        publish(all);
        String last = all.getLast().data().runId();
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("SELECT 1 FROM ledger.run_event WHERE event_id IN ("
                + all.stream().map(e -> "'" + e.id() + "'").reduce((a, b) -> a + "," + b).orElseThrow() + ")").size() == all.size());
        awaitStatus(last, "succeeded");
        List<Map<String, String>> before = rows("SELECT * FROM ledger.run ORDER BY id");
        long timelineBefore = Long.parseLong(rows("SELECT count(*) AS n FROM ledger.run_event").getFirst().get("n"));

        // When every event on the topic so far is published again (same CloudEvent ids), then a marker run
        List<String> topic = readWholeTopic();
        topic.forEach(v -> LedgerFixture.publishRaw(null, v));
        RunEvents marker = new RunEvents("replayer", "github.acme.work.marker", Instant.now());
        publish(envelopes(marker.lifecycle()));
        awaitStatus(marker.runId, "succeeded");

        // Then nothing but the marker changed
        List<Map<String, String>> after = rows("SELECT * FROM ledger.run WHERE id <> '" + marker.runId + "' ORDER BY id");
        assertEquals(before.size(), after.size());
        assertEquals(before, after);
        long timelineAfter = Long.parseLong(rows("SELECT count(*) AS n FROM ledger.run_event").getFirst().get("n"));
        assertEquals(timelineBefore + 4, timelineAfter);
    }

    @Test
    void sendsAPoisonMessageAndANonUuidRunIdToTheDeadLetterTopicWithTheReason() {
        // Given
        awaitReady();
        var dlq = LedgerFixture.tail(Topics.dlq(Topics.RUN_EVENTS));
        String poisonKey = "poison-" + UUID.randomUUID();
        RunEvents guessable = new RunEvents("1347", "alice", "github.acme.work.issues_create", Instant.now());
        RunEvents good = new RunEvents("alice", "github.acme.work.issues_create", Instant.now());

        // When
        LedgerFixture.publishRaw(poisonKey, "{\"specversion\":");
        LedgerFixture.publishRaw("1347", RunEvents.json(RunEvents.envelope(guessable.requested())));
        publish(envelopes(List.of(good.requested())));

        // Then the good event behind them is applied, and both bad ones are in the DLQ with a reason
        awaitStatus(good.runId, "requested");
        List<ConsumerRecord<String, String>> dead = LedgerFixture.records(dlq,
                r -> poisonKey.equals(r.key()) || "1347".equals(r.key()), 2);
        dlq.close();
        List<ConsumerRecord<String, String>> poison = dead.stream().filter(r -> poisonKey.equals(r.key())).toList();
        List<ConsumerRecord<String, String>> nonUuid = dead.stream().filter(r -> "1347".equals(r.key())).toList();
        assertEquals(1, poison.size());
        assertTrue(reason(poison.getFirst()).contains("not a CloudEvent"), reason(poison.getFirst()));
        assertTrue(reason(nonUuid.getFirst()).contains("not a UUID"), reason(nonUuid.getFirst()));
        assertTrue(rows("SELECT 1 FROM ledger.run WHERE parent_run_id = '1347' OR idempotency_key = '1347'").isEmpty());
    }

    private static String reason(ConsumerRecord<String, String> r) {
        return new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8);
    }

    private static List<String> readWholeTopic() {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", KafkaResource.broker().bootstrapServers());
        props.put("group.id", "replay-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        List<String> values = new ArrayList<>();
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            var partitions = c.partitionsFor(Topics.RUN_EVENTS).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            var end = c.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null && r.value().contains("\"RunRequested\"") || r.value() != null && r.value().contains("dev.executor.run.")) {
                        values.add(r.value());
                    }
                });
            }
        }
        return values;
    }
}
