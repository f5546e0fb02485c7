package dev.executor.contracts.events;

import java.time.Instant;

/**
 * An attempt at the upstream call began.
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param attempt    attempt number, from 1
 */
public record RunStarted(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        int attempt) implements RunEvent {
}
