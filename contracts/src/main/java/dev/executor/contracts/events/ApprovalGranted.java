package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A human approved a pending run. Carries what the invoker needs to resume the run statelessly,
 * as recorded from {@link RunPendingApproval}; the invoker still re-checks policy at the current
 * policy version before executing.
 *
 * @param runId     the pending Run
 * @param decidedBy the approver (holds executor-approver; never the run's own agent)
 * @param decidedAt when the approval was given
 * @param comment   the approver's comment; null for none
 * @param context   the run's context, as in its pending event
 * @param arguments the approved arguments
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalGranted(
        String runId,
        PrincipalRef decidedBy,
        Instant decidedAt,
        String comment,
        RunContext context,
        JsonNode arguments) implements ApprovalDecision {
}
