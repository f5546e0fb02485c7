package dev.executor.catalog.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.catalog.persistence.CatalogStore;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionDeleted;
import dev.executor.contracts.events.ConnectionEvent;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the catalog's copy of connections from {@code executor.connection.events}, so search can
 * expand a tool into one address per connection of its source. Idempotent on the CloudEvent id
 * (recorded in the same transaction as the effect); the offset is committed after that
 * transaction. Unknown payload types are skipped; unreadable records go to the dead-letter topic.
 */
@ApplicationScoped
public class ConnectionEventListener {

    private static final Logger LOG = Logger.getLogger(ConnectionEventListener.class);
    private static final TypeReference<CloudEvent<ConnectionEvent>> TYPE = new TypeReference<>() {
    };

    private final CatalogStore store;
    private final ObjectMapper json;

    public ConnectionEventListener(CatalogStore store, ObjectMapper json) {
        this.store = store;
        this.json = json.copy().disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Incoming("connection-events")
    public Uni<Void> consume(String record) {
        CloudEvent<ConnectionEvent> event;
        try {
            event = json.readValue(record, TYPE);
        } catch (Exception e) {
            return Uni.createFrom().failure(new IllegalArgumentException("unreadable connection event: " + e.getMessage()));
        }
        return apply(event);
    }

    public Uni<Void> apply(CloudEvent<ConnectionEvent> event) {
        ConnectionEvent data = event.data();
        if (data == null || !(data instanceof ConnectionCreated || data instanceof ConnectionDeleted)) {
            return Uni.createFrom().voidItem();
        }
        return store.pool().withTransaction(tx -> store.markProcessed(tx, event.id()).chain(fresh -> {
            if (!fresh) {
                LOG.debugf("connection event %s already applied", event.id());
                return Uni.createFrom().voidItem();
            }
            if (data instanceof ConnectionCreated c) {
                return store.upsertConnection(tx, c.connectionId(), c.connection().source(), c.sourceId(),
                        c.connection().scope().kind(), c.connection().scope().id(), c.connection().name());
            }
            return store.deleteConnection(tx, data.connectionId());
        }));
    }
}
