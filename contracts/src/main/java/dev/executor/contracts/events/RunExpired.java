package dev.executor.contracts.events;

import java.time.Instant;

/**
 * The run's approval request (or its deadline) lapsed before a decision (terminal).
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param reason     what lapsed, for a person, e.g. "approval not given within 24h"
 */
public record RunExpired(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        String reason) implements RunEvent {
}
