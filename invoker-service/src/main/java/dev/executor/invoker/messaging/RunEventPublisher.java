package dev.executor.invoker.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.RunEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes every Run transition on {@value Topics#RUN_EVENTS} (channel
 * {@code run-events}) as structured CloudEvents, keyed by run id.
 */
@ApplicationScoped
public class RunEventPublisher {

    static final String SOURCE = "/executor/invoker-service";

    private final MutinyEmitter<CloudEvent<RunEvent>> emitter;

    public RunEventPublisher(@Channel("run-events") MutinyEmitter<CloudEvent<RunEvent>> emitter) {
        this.emitter = emitter;
    }

    /** Sends {@code event}; the Uni completes once the broker acknowledged it. */
    public Uni<Void> publish(RunEvent event) {
        CloudEvent<RunEvent> envelope = CloudEvent.of(SOURCE, null, event);
        return emitter.sendMessage(KafkaRecord.of(event.key(), envelope)
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE));
    }
}
