package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A human denied a pending run.
 *
 * @param runId     the pending Run
 * @param decidedBy the approver
 * @param decidedAt when it was denied
 * @param comment   the approver's comment; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalDenied(
        String runId,
        PrincipalRef decidedBy,
        Instant decidedAt,
        String comment) implements ApprovalDecision {
}
