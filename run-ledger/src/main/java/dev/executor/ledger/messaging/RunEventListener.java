package dev.executor.ledger.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.ledger.service.IngestService;
import dev.executor.ledger.service.IngestService.Incoming;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.vertx.pgclient.PgException;

/**
 * Consumes {@value Topics#RUN_EVENTS} in batches (channel {@code run-events}). Each batch is
 * applied in one database transaction and the returned {@code Uni} completes only after it
 * committed; the batch is acknowledged then, and the {@code throttled} commit strategy commits an
 * offset only once every record before it is acknowledged. So an offset is never committed before
 * its effect is durable, and a crash replays at most the uncommitted tail (harmless: ingest is
 * idempotent on the CloudEvent id).
 *
 * <p>Poison records (not a CloudEvent, no id, a run id that is not a UUID, a missing sequence or
 * time, data PostgreSQL rejects) go to {@code executor.run.events.dlq} with the reason in the
 * {@value Topics#DLQ_REASON_HEADER} header; the rest of the batch is applied. A database that is
 * down is not a poison: the batch is retried with back-off and the partition waits.
 */
@ApplicationScoped
public class RunEventListener {

    private static final Logger LOG = Logger.getLogger(RunEventListener.class);
    private static final TypeReference<CloudEvent<RunEvent>> TYPE = new TypeReference<>() {
    };

    private final IngestService ingest;
    private final ObjectMapper reader;
    private final MutinyEmitter<String> deadLetters;

    public RunEventListener(IngestService ingest, ObjectMapper json,
            @Channel("run-events-dlq") MutinyEmitter<String> deadLetters) {
        this.ingest = ingest;
        // Unknown payload types (added later to v1) read as null data and are skipped, per contracts/README.
        this.reader = json.copy().disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.deadLetters = deadLetters;
    }

    @org.eclipse.microprofile.reactive.messaging.Incoming("run-events")
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<Incoming> events = new ArrayList<>(records.count());
        List<ConsumerRecord<String, String>> accepted = new ArrayList<>(records.count());
        List<Uni<Void>> poisoned = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                Incoming in = parse(record.value());
                if (in != null) {
                    events.add(in);
                    accepted.add(record);
                }
            } catch (PoisonException e) {
                poisoned.add(deadLetter(record, e.getMessage()));
            }
        }
        Uni<Void> dlq = poisoned.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(poisoned).andFailFast().replaceWithVoid();
        return dlq.chain(() -> applyBatch(events, accepted));
    }

    private Uni<Void> applyBatch(List<Incoming> events, List<ConsumerRecord<String, String>> records) {
        return ingest.apply(events).replaceWithVoid()
                .onFailure(RunEventListener::isDataError).recoverWithUni(e -> {
                    LOG.warnf("A batch of %d run events was refused (%s); applying them one by one", events.size(),
                            e.getMessage());
                    return Multi.createFrom().range(0, events.size()).onItem()
                            .transformToUniAndConcatenate(i -> ingest.apply(List.of(events.get(i))).replaceWithVoid()
                                    .onFailure(RunEventListener::isDataError)
                                    .recoverWithUni(f -> deadLetter(records.get(i), "refused by the ledger: " + f.getMessage())))
                            .collect().last().replaceWithVoid();
                })
                .onFailure().invoke(e -> LOG.warnf("Cannot apply run events yet (%s); retrying", e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely();
    }

    Incoming parse(String value) {
        if (value == null || value.isBlank()) {
            throw new PoisonException("empty record value");
        }
        CloudEvent<RunEvent> envelope;
        try {
            envelope = reader.readValue(value, TYPE);
        } catch (Exception e) {
            throw new PoisonException("not a CloudEvent with a RunEvent payload: " + firstLine(e.getMessage()));
        }
        if (envelope.id() == null || envelope.id().isBlank()) {
            throw new PoisonException("CloudEvent has no id");
        }
        RunEvent event = envelope.data();
        if (event == null) {
            LOG.debugf("Skipping event %s of a payload type this ledger does not know (%s)", envelope.id(), envelope.type());
            return null;
        }
        UUID runId;
        try {
            runId = UUID.fromString(event.runId());
        } catch (RuntimeException e) {
            throw new PoisonException("run id '" + event.runId() + "' is not a UUID (run ids are random UUIDv4)");
        }
        if (!runId.toString().equalsIgnoreCase(event.runId())) {
            throw new PoisonException("run id '" + event.runId() + "' is not a canonical UUID");
        }
        if (runId.version() != 4) {
            // Accepted (it is a UUID) but flagged: the invoker mints random v4 ids; anything else is guessable.
            LOG.warnf("Run %s has a version-%d UUID, not a random v4 one; flagged, check its producer", runId, runId.version());
        }
        if (event.sequence() < 1) {
            throw new PoisonException("sequence must be 1 or more, got " + event.sequence());
        }
        if (event.occurredAt() == null) {
            throw new PoisonException("occurredAt is missing");
        }
        return new Incoming(envelope.id(), event);
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, String> record, String reason) {
        LOG.warnf("Run event at %s-%d@%d sent to %s: %s", record.topic(), record.partition(), record.offset(),
                Topics.dlq(Topics.RUN_EVENTS), reason);
        return deadLetters.sendMessage(KafkaRecord.of(record.key(), record.value())
                .withHeader(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
                .withHeader("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8))
                .withHeader("dead-letter-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
                .withHeader("dead-letter-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8)));
    }

    /** PostgreSQL refused the data itself (classes 22 data exception, 23 integrity): retrying will not help. */
    static boolean isDataError(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
            }
            if (t instanceof IllegalArgumentException) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A record that can never be applied. */
    static final class PoisonException extends RuntimeException {
        PoisonException(String reason) {
            super(reason, null, false, false);
        }
    }
}
