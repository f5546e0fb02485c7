package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Outcomes of approval requests, on {@code executor.approval.decisions}. Emitted by run-ledger
 * after a human decided over its REST API (or the request lapsed); consumed by invoker-service,
 * which resumes, denies or expires the run and emits the matching {@link RunEvent}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ApprovalGranted.class, name = "ApprovalGranted"),
    @JsonSubTypes.Type(value = ApprovalDenied.class, name = "ApprovalDenied"),
    @JsonSubTypes.Type(value = ApprovalExpired.class, name = "ApprovalExpired")
})
public sealed interface ApprovalDecision extends ExecutorEvent
        permits ApprovalGranted, ApprovalDenied, ApprovalExpired {

    /** The pending Run the decision is about. */
    String runId();

    /** When the decision was made (or the request lapsed). */
    Instant decidedAt();

    /** Keyed by run id, like the run's events. */
    @Override
    default String key() {
        return runId();
    }
}
