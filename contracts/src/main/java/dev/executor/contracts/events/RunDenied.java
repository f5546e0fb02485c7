package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A human denied the pending run (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param deniedBy   the approver
 * @param comment    the approver's comment; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunDenied(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        PrincipalRef deniedBy,
        String comment) implements RunEvent {
}
