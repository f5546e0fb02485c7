package dev.executor.contracts.events;

import java.time.Instant;

/**
 * The upstream call succeeded (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param output     the output, inline or stored
 * @param attempts   attempts made, from 1
 * @param durationMs time from start of the first attempt to the end, in milliseconds
 */
public record RunSucceeded(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        OutputRef output,
        int attempts,
        long durationMs) implements RunEvent {
}
