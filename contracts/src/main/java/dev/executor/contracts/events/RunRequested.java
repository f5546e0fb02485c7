package dev.executor.contracts.events;

import java.time.Instant;

/**
 * A call was accepted: tool resolved and arguments valid. Not yet decided by policy.
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 */
public record RunRequested(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context) implements RunEvent {
}
