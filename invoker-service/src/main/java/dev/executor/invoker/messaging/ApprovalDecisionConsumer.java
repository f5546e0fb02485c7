package dev.executor.invoker.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.Topics;
import dev.executor.contracts.events.ApprovalDecision;
import dev.executor.contracts.events.ApprovalDenied;
import dev.executor.contracts.events.ApprovalExpired;
import dev.executor.contracts.events.ApprovalGranted;
import dev.executor.invoker.service.Invocations;
import io.smallrye.mutiny.Uni;

/**
 * Resumes, denies or expires pending Runs from {@value Topics#APPROVAL_DECISIONS} (group
 * {@code invoker-service}: one pod handles each decision). Handling is idempotent: only a Run still
 * pending moves, so a redelivered decision changes nothing. A granted Run is re-checked against
 * policy at its current version before it executes; the decision is committed once the Run's next
 * state is recorded. A decision that cannot be read goes to {@code executor.approval.decisions.dlq}.
 */
@ApplicationScoped
public class ApprovalDecisionConsumer {

    private static final Logger LOG = Logger.getLogger(ApprovalDecisionConsumer.class);

    private final Invocations invocations;
    private final ObjectMapper json;

    public ApprovalDecisionConsumer(Invocations invocations, ObjectMapper json) {
        this.invocations = invocations;
        this.json = json;
    }

    @Incoming("approval-decisions")
    public Uni<Void> consume(String value) {
        ApprovalDecision decision;
        try {
            JsonNode envelope = json.readTree(value);
            decision = json.treeToValue(envelope.get("data"), ApprovalDecision.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an ApprovalDecision CloudEvent: " + e.getClass().getSimpleName());
        }
        if (decision == null) {
            throw new IllegalArgumentException("not an ApprovalDecision CloudEvent: no data");
        }
        Uni<Void> work = switch (decision) {
            case ApprovalGranted g -> invocations.approved(g.runId(), g.decidedBy(), g.comment(), g.arguments());
            case ApprovalDenied d -> invocations.denied(d.runId(), d.decidedBy(), d.comment());
            case ApprovalExpired x -> invocations.expired(x.runId(), null);
        };
        // A dependency may be briefly down: retry in place (holding the partition) before giving up to the dead-letter topic.
        return work.onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).expireIn(Duration.ofMinutes(2).toMillis())
                .onFailure().invoke(e -> LOG.warnf("Approval decision for run %s not applied: %s", decision.runId(), e.toString()));
    }
}
