package dev.executor.secrets.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ConnectionEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes connection changes on {@value Topics#CONNECTION_EVENTS} (channel
 * {@code connection-events}) as structured CloudEvents, keyed by connection id.
 */
@ApplicationScoped
public class ConnectionEventPublisher {

    static final String SOURCE = "/executor/secrets-proxy";

    private final MutinyEmitter<CloudEvent<ConnectionEvent>> emitter;

    public ConnectionEventPublisher(@Channel("connection-events") MutinyEmitter<CloudEvent<ConnectionEvent>> emitter) {
        this.emitter = emitter;
    }

    /** Sends {@code event}; the Uni completes once the broker acknowledged it. */
    public Uni<Void> publish(ConnectionEvent event) {
        CloudEvent<ConnectionEvent> envelope = CloudEvent.of(SOURCE, null, event);
        return emitter.sendMessage(KafkaRecord.of(event.key(), envelope)
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE));
    }
}
