package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The run was cancelled before it finished (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param cancelledBy who cancelled it
 * @param reason      why; null when not given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunCancelled(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        PrincipalRef cancelledBy,
        String reason) implements RunEvent {
}
