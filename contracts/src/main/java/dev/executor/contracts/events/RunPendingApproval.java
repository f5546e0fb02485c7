package dev.executor.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Policy requires a human approval; the run waits in the ledger. It carries the arguments so
 * that the ledger can show the approver what is being approved and any invoker replica can resume
 * the run from the decision.
 *
 * @param runId      the Run's id
 * @param sequence   position of the event in its run
 * @param occurredAt when it happened
 * @param context    what the run is about
 * @param arguments   the arguments being approved
 * @param expiresAt   when the request lapses if nobody decides
 * @param approvalUrl where an approver decides
 */
public record RunPendingApproval(
        String runId,
        long sequence,
        Instant occurredAt,
        RunContext context,
        JsonNode arguments,
        Instant expiresAt,
        String approvalUrl) implements RunEvent {
}
