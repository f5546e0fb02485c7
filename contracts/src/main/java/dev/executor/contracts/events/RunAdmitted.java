package dev.executor.contracts.events;

import java.time.Instant;

/**
 * Policy allowed the run (or a human approved it); it will start.
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 */
public record RunAdmitted(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context) implements RunEvent {
}
