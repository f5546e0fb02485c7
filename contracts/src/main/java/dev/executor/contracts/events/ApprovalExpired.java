package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Nobody decided on a pending run before its deadline. No one decided, hence no
 * {@code decidedBy}.
 *
 * @param runId     the pending Run
 * @param decidedAt when the request lapsed
 * @param comment   why, for a person, e.g. "no decision within 24h"; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalExpired(
        String runId,
        Instant decidedAt,
        String comment) implements ApprovalDecision {
}
