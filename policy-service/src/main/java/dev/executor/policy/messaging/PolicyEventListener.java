package dev.executor.policy.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.PolicyEvent;
import dev.executor.policy.service.DecisionService;
import io.smallrye.mutiny.Uni;

/**
 * Keeps this replica's snapshot current with changes made through other replicas: every replica
 * reads {@code executor.policy.events} in its own consumer group (from the latest offset) and
 * reloads when an event announces a newer policy version than its snapshot. Reloading is
 * idempotent, so redelivery is harmless; unreadable records are logged and skipped (this service
 * wrote them, a dead-letter copy would help no one).
 */
@ApplicationScoped
public class PolicyEventListener {

    private static final Logger LOG = Logger.getLogger(PolicyEventListener.class);
    private static final TypeReference<CloudEvent<PolicyEvent>> TYPE = new TypeReference<>() { };

    private final EventReader reader;
    private final DecisionService decisions;

    public PolicyEventListener(EventReader reader, DecisionService decisions) {
        this.reader = reader;
        this.decisions = decisions;
    }

    @Incoming("policy-changes")
    public Uni<Void> onPolicyEvent(String value) {
        CloudEvent<PolicyEvent> event;
        try {
            event = reader.read(value, TYPE);
        } catch (EventReader.PoisonMessageException e) {
            LOG.warnf("Skipping unreadable policy event: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (event.data() == null) {
            return Uni.createFrom().voidItem();
        }
        return decisions.refreshIfOlderThan(event.data().policyVersion())
                .onFailure().invoke(e -> LOG.warnf("Snapshot reload for policy version %d failed: %s",
                        event.data().policyVersion(), e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
