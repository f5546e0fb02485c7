package dev.executor.contracts.events;

import java.time.Instant;

/**
 * Policy blocked the run (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param error      reason {@code POLICY_BLOCKED}, {@code NOT_VISIBLE}, {@code TOOL_UNREVIEWED} or
 *                   {@code TOOL_RETIRED}, and the explanation of the deciding rule
 */
public record RunBlocked(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        ErrorInfo error) implements RunEvent {
}
