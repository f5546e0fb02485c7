package dev.executor.policy.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.executor.contracts.Topics;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.CatalogEvent;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionDeleted;
import dev.executor.contracts.events.ConnectionEvent;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceAdded;
import dev.executor.contracts.events.SourceRemoved;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Scope;
import dev.executor.policy.messaging.EventReader.PoisonMessageException;
import dev.executor.policy.persistence.PlacementRepository;
import dev.executor.policy.persistence.PlacementRepository.Change;
import dev.executor.policy.persistence.PlacementRepository.Ignore;
import dev.executor.policy.persistence.PlacementRepository.Remove;
import dev.executor.policy.persistence.PlacementRepository.Upsert;
import dev.executor.policy.service.DecisionService;
import io.smallrye.mutiny.Uni;

/**
 * Learns where sources and connections live from {@value Topics#CATALOG_EVENTS} ({@code SourceAdded},
 * {@code SourceRemoved}) and {@value Topics#CONNECTION_EVENTS} ({@code ConnectionCreated},
 * {@code ConnectionDeleted}). Idempotent on the CloudEvent id (recorded in the same transaction as
 * the placement); the offset is committed only after that transaction, because the message is
 * acknowledged when the returned Uni completes. Other payload types are recorded and skipped.
 * Poison messages (not a CloudEvent, or a placement without a valid scope) fail the message, and
 * the channel's {@code dead-letter-queue} strategy sends it to {@code <topic>.dlq} with the reason.
 */
@ApplicationScoped
public class PlacementListener {

    private static final Logger LOG = Logger.getLogger(PlacementListener.class);
    private static final TypeReference<CloudEvent<CatalogEvent>> CATALOG = new TypeReference<>() { };
    private static final TypeReference<CloudEvent<ConnectionEvent>> CONNECTION = new TypeReference<>() { };

    private final EventReader reader;
    private final PlacementRepository placements;
    private final DecisionService decisions;

    public PlacementListener(EventReader reader, PlacementRepository placements, DecisionService decisions) {
        this.reader = reader;
        this.placements = placements;
        this.decisions = decisions;
    }

    @Incoming("catalog-events")
    public Uni<Void> onCatalogEvent(String value) {
        // deferred: a poison message fails the Uni (nack → dead-letter topic) rather than the call
        return Uni.createFrom().deferred(() -> catalogEvent(value));
    }

    @Incoming("connection-events")
    public Uni<Void> onConnectionEvent(String value) {
        return Uni.createFrom().deferred(() -> connectionEvent(value));
    }

    private Uni<Void> catalogEvent(String value) {
        CloudEvent<CatalogEvent> event = reader.read(value, CATALOG);
        Change change = switch (event.data()) {
            case SourceAdded a -> new Upsert(new SourcePlacement(required(a.sourceId(), "sourceId"),
                    required(a.name(), "name"), a.kind(), scope(a.scope())));
            case SourceRemoved r -> new Remove("source", required(r.sourceId(), "sourceId"));
            case null, default -> new Ignore();
        };
        return apply(event.id(), Topics.CATALOG_EVENTS, change);
    }

    private Uni<Void> connectionEvent(String value) {
        CloudEvent<ConnectionEvent> event = reader.read(value, CONNECTION);
        Change change = switch (event.data()) {
            case ConnectionCreated c -> {
                if (c.connection() == null) {
                    throw new PoisonMessageException("ConnectionCreated without its connection (scope, source, name)");
                }
                yield new Upsert(new ConnectionPlacement(required(c.connectionId(), "connectionId"), c.sourceId(),
                        required(c.connection().source(), "connection.source"), required(c.connection().name(), "connection.name"),
                        scope(c.connection().scope())));
            }
            case ConnectionDeleted d -> new Remove("connection", required(d.connectionId(), "connectionId"));
            case null, default -> new Ignore();
        };
        return apply(event.id(), Topics.CONNECTION_EVENTS, change);
    }

    private Uni<Void> apply(String eventId, String topic, Change change) {
        return placements.apply(eventId, topic, change)
                .chain(changed -> {
                    if (!changed) {
                        return Uni.createFrom().voidItem();
                    }
                    LOG.debugf("Placement changed by event %s on %s: %s", eventId, topic, change);
                    return decisions.refresh()
                            // the row is durable; the periodic reload catches up if this one fails
                            .onFailure().invoke(e -> LOG.warnf("Snapshot reload after event %s failed: %s", eventId, e.getMessage()))
                            .onFailure().recoverWithNull();
                });
    }

    private static Scope scope(ScopeRef ref) {
        if (ref == null) {
            throw new PoisonMessageException("placement event without a scope");
        }
        try {
            return new Scope(ref.kind(), ref.id());
        } catch (RuntimeException e) {
            throw new PoisonMessageException("placement event with an invalid scope: " + e.getMessage());
        }
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new PoisonMessageException("placement event without " + field);
        }
        return value;
    }
}
