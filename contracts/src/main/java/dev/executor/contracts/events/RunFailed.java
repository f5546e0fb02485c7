package dev.executor.contracts.events;

import java.time.Instant;

/**
 * The upstream call failed for good, retries included (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param error      reason (e.g. {@code UPSTREAM_ERROR}, {@code UPSTREAM_TIMEOUT}, {@code EGRESS_DENIED},
 *                   {@code NEEDS_REAUTHORIZATION}) and message
 * @param attempts   attempts made, from 1
 * @param durationMs time from start of the first attempt to the end, in milliseconds
 */
public record RunFailed(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        ErrorInfo error,
        int attempts,
        long durationMs) implements RunEvent {
}
