package dev.executor.ledger.messaging;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ApprovalDecision;
import dev.executor.ledger.persistence.OutboxRepository;
import dev.executor.ledger.persistence.OutboxRepository.Entry;
import dev.executor.ledger.persistence.RunRepository;
import dev.executor.ledger.persistence.SchemaMigrator;
import io.quarkus.scheduler.Scheduled;
import org.eclipse.microprofile.health.Readiness;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes approval decisions on {@value Topics#APPROVAL_DECISIONS} (channel
 * {@code approval-decisions}) through the outbox: {@link #entry} builds the CloudEvent (its id
 * fixed at decision time) for the decision's transaction, and {@link #relay} sends unpublished
 * entries, keyed by run id, marking them published only after the broker acknowledged them. Delivery
 * is at least once (a crash between ack and mark resends the same event id; consumers dedupe).
 */
@ApplicationScoped
public class ApprovalDecisionPublisher {

    private static final Logger LOG = Logger.getLogger(ApprovalDecisionPublisher.class);
    static final String SOURCE = "/executor/run-ledger";
    private static final int BATCH = 100;

    private final MutinyEmitter<String> emitter;
    private final OutboxRepository outbox;
    private final RunRepository runs;
    private final ObjectMapper json;
    private final AtomicBoolean relaying = new AtomicBoolean();
    private final SchemaMigrator schema;

    public ApprovalDecisionPublisher(@Channel("approval-decisions") MutinyEmitter<String> emitter, OutboxRepository outbox,
            RunRepository runs, ObjectMapper json, @Readiness SchemaMigrator schema) {
        this.emitter = emitter;
        this.schema = schema;
        this.outbox = outbox;
        this.runs = runs;
        this.json = json;
    }

    /** The outbox entry for {@code decision}: a structured CloudEvent with a fresh id. */
    public Entry entry(ApprovalDecision decision) {
        CloudEvent<ApprovalDecision> envelope = CloudEvent.of(SOURCE, "run/" + decision.runId(), decision);
        try {
            return new Entry(envelope.id(), Topics.APPROVAL_DECISIONS, decision.key(), json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an approval decision", e);
        }
    }

    /** Publishes what the outbox holds; a no-op while another relay pass of this replica runs. */
    @Scheduled(every = "${ledger.outbox.every:2s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public Uni<Void> relay() {
        if (!schema.isMigrated() || !relaying.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return relayOnce().onTermination().invoke(() -> relaying.set(false))
                .onFailure().invoke(e -> LOG.warnf("Outbox relay failed (%s); will retry", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> relayOnce() {
        return runs.pool().withTransaction(tx -> outbox.lockUnpublished(tx, BATCH).flatMap(entries -> {
            if (entries.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return Multi.createFrom().iterable(entries).onItem()
                    .transformToUniAndConcatenate(e -> emitter.sendMessage(KafkaRecord.of(e.key(), e.payload())
                            .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE)))
                    .collect().asList()
                    .chain(() -> outbox.markPublished(tx, entries.stream().map(Entry::eventId).toList()))
                    .replaceWith(entries.size());
        })).flatMap(n -> n == BATCH ? relayOnce() : Uni.createFrom().voidItem());
    }
}
