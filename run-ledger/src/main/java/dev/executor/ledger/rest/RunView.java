package dev.executor.ledger.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.executor.ledger.Run;
import dev.executor.ledger.persistence.RunRepository.ApprovalRow;
import dev.executor.ledger.persistence.RunRepository.TimelineEntry;

/**
 * One Run as the REST API shows it (also one line of the NDJSON export); JSON columns pass through
 * as JSON. {@code arguments} is shown only while the Run waits for a decision, so that the approver
 * sees what they approve. {@code timeline} and {@code approvals} only on {@code GET /api/runs/{id}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID id, String parentRunId, String address, String source, String scope,
        String manifestVersion, String principalSubject, @JsonRawValue String principalChain, String toolkit,
        Long policyVersion, String verdict, String inputHash, String status, @JsonRawValue String output,
        String outputHandle, Long outputSizeBytes, @JsonRawValue String error, String traceId, String surface,
        String idempotencyKey, Integer attempts, Long durationMs, Instant requestedAt, Instant admittedAt,
        Instant startedAt, Instant finishedAt, Instant updatedAt, Instant approvalExpiresAt, long lastSequence,
        @JsonRawValue String arguments, List<ApprovalView> approvals, List<EventView> timeline) {

    /** A decision on the Run. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApprovalView(String outcome, String decidedBySubject, String decidedBy, Instant decidedAt,
            String comment) {
        static ApprovalView of(ApprovalRow a) {
            return new ApprovalView(a.outcome(), a.decidedBySubject(), a.decidedByName(), a.decidedAt(), a.comment());
        }
    }

    /** One run event as received, in sequence order. */
    public record EventView(String eventId, long sequence, String type, Instant occurredAt, String status,
            @JsonRawValue String data) {
        static EventView of(TimelineEntry e) {
            return new EventView(e.eventId(), e.sequence(), e.type(), e.occurredAt(), e.status(), e.dataJson());
        }
    }

    static RunView of(Run r) {
        return of(r, null, null);
    }

    static RunView of(Run r, List<ApprovalRow> approvals, List<TimelineEntry> timeline) {
        return new RunView(r.id, r.parentRunId, r.address, r.source, r.scopeId, r.manifestVersion, r.principalSubject,
                r.principalChain, r.toolkit, r.policyVersion, r.verdict, r.inputHash, r.status, r.output, r.outputHandle,
                r.outputSizeBytes, r.error, r.traceId, r.surface, r.idempotencyKey, r.attempts, r.durationMs, r.createdAt,
                r.admittedAt, r.startedAt, r.finishedAt, r.updatedAt, r.approvalExpiresAt, r.lastSequence,
                Run.PENDING_APPROVAL.equals(r.status) ? r.arguments : null,
                approvals == null ? null : approvals.stream().map(ApprovalView::of).toList(),
                timeline == null ? null : timeline.stream().map(EventView::of).toList());
    }
}
