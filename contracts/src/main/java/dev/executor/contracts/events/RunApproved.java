package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A human approved the pending run; admission follows.
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param approvedBy the approver (never the run's own agent)
 * @param comment    the approver's comment; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunApproved(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        PrincipalRef approvedBy,
        String comment) implements RunEvent {
}
