package dev.executor.invoker.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import dev.executor.invoker.persistence.RunStore;
import dev.executor.invoker.persistence.RunStore.OutboxRow;
import dev.executor.invoker.persistence.SchemaMigrator;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes Run transitions on {@value Topics#RUN_EVENTS} (channel {@code run-events}) as
 * structured CloudEvents keyed by run id, from the outbox.
 *
 * <p>Each transition's events are first written to the outbox in the transition's own statement
 * ({@link RunStore}); once that committed, {@link #relay} sends them at once and deletes the rows
 * the broker acknowledged (deletes are batched: every second, or as soon as {@value #FLUSH_AT} are
 * waiting). A transition's events go to the producer together, so they share its batches; the
 * producer is idempotent and keeps their order. Rows a failed send or a dead pod left behind are
 * picked up by {@link #sweep} on any instance (row locks keep two instances from sending the same
 * batch). Delivery is at least once; consumers dedupe on the CloudEvent id.
 */
@ApplicationScoped
public class RunEventPublisher {

    private static final Logger LOG = Logger.getLogger(RunEventPublisher.class);
    static final String SOURCE = "/executor/invoker-service";
    private static final int SWEEP_BATCH = 200;
    private static final int STALE_SECONDS = 10;
    static final int FLUSH_AT = 256;
    private static final int FLUSH_MAX = 5000;

    // Field injection: Quarkus registers an emitter's @OnOverflow only on fields.
    @Inject
    @Channel("run-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
    MutinyEmitter<String> emitter;
    private final RunStore store;
    private final ObjectMapper json;
    private final SchemaMigrator schema;
    private final ConcurrentLinkedQueue<UUID> relayed = new ConcurrentLinkedQueue<>();
    // ConcurrentLinkedQueue.size() walks the queue: keep the count beside it.
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicBoolean flushing = new AtomicBoolean();

    public RunEventPublisher(RunStore store, ObjectMapper json, @Readiness SchemaMigrator schema) {
        this.store = store;
        this.json = json;
        this.schema = schema;
    }

    /** The outbox row for {@code event}: a CloudEvent with a fresh id, subject {@code run/<id>}. */
    public OutboxRow row(RunEvent event) {
        CloudEvent<RunEvent> envelope = CloudEvent.of(SOURCE, "run/" + event.runId(), event);
        try {
            return new OutboxRow(UUID.fromString(envelope.id()), Topics.RUN_EVENTS, event.key(), json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a run event", e);
        }
    }

    /**
     * Sends rows whose statement committed, in order, without making the caller wait: a failure leaves
     * them in the outbox for {@link #sweep}.
     */
    public void relay(List<OutboxRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sendAll(rows).subscribe().with(this::relayed, failure -> LOG.debugf("Run events left for the outbox sweep: %s", failure.toString()));
    }

    private void relayed(List<UUID> sent) {
        relayed.addAll(sent);
        if (waiting.addAndGet(sent.size()) >= FLUSH_AT) {
            flush().subscribe().with(ignored -> {
            }, failure -> LOG.debugf("Outbox cleanup failed: %s", failure.toString()));
        }
    }

    /** Subscribed in list order, so the producer receives the rows in order; their acknowledgements are awaited together. */
    private Uni<List<UUID>> sendAll(List<OutboxRow> rows) {
        return Uni.join().all(rows.stream().map(this::send).toList()).andFailFast();
    }

    private Uni<UUID> send(OutboxRow row) {
        return emitter.sendMessage(KafkaRecord.of(row.key(), row.payload())
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE)).replaceWith(row.id());
    }

    /** Rows relayed whose outbox copy is not deleted yet. */
    int waiting() {
        return waiting.get();
    }

    /** Deletes the rows the broker acknowledged. */
    @Scheduled(every = "${invoker.outbox.flush-every:1s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> flush() {
        // Lazy: nothing is taken from the queue (nor the flag set) until someone subscribes.
        return Uni.createFrom().deferred(() -> {
            if (waiting.get() == 0 || !flushing.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            List<UUID> ids = new ArrayList<>();
            for (UUID id; ids.size() < FLUSH_MAX && (id = relayed.poll()) != null;) {
                ids.add(id);
            }
            waiting.addAndGet(-ids.size());
            return store.deleteOutbox(store.pool(), ids)
                    .onFailure().invoke(e -> {
                        LOG.debugf("Outbox cleanup failed (%s); the sweep resends and removes those rows", e.toString());
                    })
                    .onFailure().recoverWithNull()
                    .onTermination().invoke(() -> flushing.set(false));
        });
    }

    /** Sends what failed or was orphaned, oldest first; a no-op while another sweep of this instance runs. */
    @Scheduled(every = "${invoker.outbox.sweep-every:2s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> sweep() {
        if (!schema.isMigrated() || !sweeping.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return sweepOnce().onTermination().invoke(() -> sweeping.set(false))
                .onFailure().invoke(e -> LOG.warnf("Outbox sweep failed (%s); will retry", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> sweepOnce() {
        return store.pool().withTransaction(tx -> store.lockStale(tx, STALE_SECONDS, SWEEP_BATCH).flatMap(rows -> {
            if (rows.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return sendAll(rows).chain(ids -> store.deleteOutbox(tx, ids)).replaceWith(rows.size());
        })).flatMap(n -> n == SWEEP_BATCH ? sweepOnce() : Uni.createFrom().voidItem());
    }
}
