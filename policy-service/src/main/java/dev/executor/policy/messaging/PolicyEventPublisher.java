package dev.executor.policy.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.PolicyEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes policy and toolkit changes on {@value Topics#POLICY_EVENTS} (channel
 * {@code policy-events}) as structured CloudEvents, keyed by the changed record's id.
 */
@ApplicationScoped
public class PolicyEventPublisher {

    static final String SOURCE = "/executor/policy-service";

    private final MutinyEmitter<CloudEvent<PolicyEvent>> emitter;

    public PolicyEventPublisher(@Channel("policy-events") MutinyEmitter<CloudEvent<PolicyEvent>> emitter) {
        this.emitter = emitter;
    }

    /** Sends {@code event}; the Uni completes once the broker acknowledged it. */
    public Uni<Void> publish(PolicyEvent event) {
        CloudEvent<PolicyEvent> envelope = CloudEvent.of(SOURCE, null, event);
        return emitter.sendMessage(KafkaRecord.of(event.key(), envelope)
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE));
    }
}
