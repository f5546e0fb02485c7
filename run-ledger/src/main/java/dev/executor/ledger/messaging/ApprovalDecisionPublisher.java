package dev.executor.ledger.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ApprovalDecision;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes approval decisions on {@value Topics#APPROVAL_DECISIONS} (channel
 * {@code approval-decisions}) as structured CloudEvents, keyed by run id.
 */
@ApplicationScoped
public class ApprovalDecisionPublisher {

    static final String SOURCE = "/executor/run-ledger";

    private final MutinyEmitter<CloudEvent<ApprovalDecision>> emitter;

    public ApprovalDecisionPublisher(@Channel("approval-decisions") MutinyEmitter<CloudEvent<ApprovalDecision>> emitter) {
        this.emitter = emitter;
    }

    /** Sends {@code event}; the Uni completes once the broker acknowledged it. */
    public Uni<Void> publish(ApprovalDecision event) {
        CloudEvent<ApprovalDecision> envelope = CloudEvent.of(SOURCE, null, event);
        return emitter.sendMessage(KafkaRecord.of(event.key(), envelope)
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE));
    }
}
