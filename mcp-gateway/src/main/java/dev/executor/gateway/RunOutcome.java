package dev.executor.gateway;

import java.time.Instant;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.RunStatus;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.ledger.v1.Run;

/**
 * Where a Run stands, as the gateway reports it to an agent, from either an
 * {@code InvokeResponse} or a ledger {@code Run}.
 *
 * @param outputJson inline output, or null
 * @param outputHandle handle of a stored output, or null
 * @param error set for FAILED, BLOCKED, DENIED, CANCELLED and EXPIRED; else null
 * @param approvalUrl where a human approves, when pending; else null
 * @param approvalExpiresAt when a pending approval lapses; null when unknown
 */
public record RunOutcome(String runId, String address, RunStatus status, String outputJson, String outputHandle,
        long outputSizeBytes, ErrorDetail error, String approvalUrl, Instant approvalExpiresAt) {

    public static RunOutcome of(InvokeResponse r, String address) {
        return new RunOutcome(r.getRunId(), address, r.getStatus(),
                r.getOutputCase() == InvokeResponse.OutputCase.OUTPUT_JSON ? r.getOutputJson() : null,
                r.getOutputCase() == InvokeResponse.OutputCase.OUTPUT_HANDLE ? r.getOutputHandle() : null,
                r.getOutputSizeBytes(), r.hasError() ? r.getError() : null,
                r.hasApproval() && !r.getApproval().getUrl().isEmpty() ? r.getApproval().getUrl() : null,
                r.hasApproval() && r.getApproval().hasExpiresAt()
                        ? Instant.ofEpochSecond(r.getApproval().getExpiresAt().getSeconds(), r.getApproval().getExpiresAt().getNanos())
                        : null);
    }

    public static RunOutcome of(Run r) {
        return new RunOutcome(r.getId(), r.getAddress(), r.getStatus(),
                r.getOutputCase() == Run.OutputCase.OUTPUT_JSON ? r.getOutputJson() : null,
                r.getOutputCase() == Run.OutputCase.OUTPUT_HANDLE ? r.getOutputHandle() : null,
                r.getOutputSizeBytes(), r.hasError() ? r.getError() : null, null,
                r.hasApprovalExpiresAt()
                        ? Instant.ofEpochSecond(r.getApprovalExpiresAt().getSeconds(), r.getApprovalExpiresAt().getNanos())
                        : null);
    }

    public boolean terminal() {
        return switch (status) {
            case SUCCEEDED, FAILED, BLOCKED, DENIED, CANCELLED, EXPIRED -> true;
            default -> false;
        };
    }

    public RunOutcome withApprovalUrl(String url) {
        return new RunOutcome(runId, address, status, outputJson, outputHandle, outputSizeBytes, error, url, approvalExpiresAt);
    }
}
