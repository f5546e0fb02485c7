package dev.executor.catalog.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.CatalogEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;

/**
 * Publishes catalog changes on {@value Topics#CATALOG_EVENTS} (channel {@code catalog-events}) as
 * structured CloudEvents keyed by source id. Called only after the change is committed. A failed
 * or slow send is logged and does not fail the admin's request: the change is durable, and the
 * consumers' caches also expire on their own.
 */
@ApplicationScoped
public class CatalogEventPublisher {

    static final String SOURCE = "/executor/catalog-service";
    private static final Logger LOG = Logger.getLogger(CatalogEventPublisher.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

    private final MutinyEmitter<CloudEvent<CatalogEvent>> emitter;

    public CatalogEventPublisher(@Channel("catalog-events") MutinyEmitter<CloudEvent<CatalogEvent>> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(CatalogEvent event) {
        CloudEvent<CatalogEvent> envelope = CloudEvent.of(SOURCE, "source/" + event.key(), event);
        return emitter.sendMessage(KafkaRecord.of(event.key(), envelope)
                .withHeader(Topics.CONTENT_TYPE_HEADER, Topics.CLOUDEVENTS_CONTENT_TYPE))
                .ifNoItem().after(ACK_TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Catalog event %s for source %s not published: %s", event.getClass().getSimpleName(), event.key(), e.toString());
                    return null;
                });
    }
}
