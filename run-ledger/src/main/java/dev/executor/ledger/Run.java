package dev.executor.ledger;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * The record of one execution (DESIGN.md §1), as folded from its run events and kept in table
 * {@code run}. JSON-valued members ({@code principalChain}, {@code output}, {@code error},
 * {@code arguments}) hold JSON text. Mutable on purpose: {@link dev.executor.ledger.service.RunFold}
 * folds events into a copy; nothing else changes it. Not thread-safe.
 */
public final class Run {

    /** Statuses are the {@code executor.common.v1.RunStatus} values, lowercased. */
    public static final String REQUESTED = "requested";
    public static final String ADMITTED = "admitted";
    public static final String PENDING_APPROVAL = "pending_approval";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String BLOCKED = "blocked";
    public static final String DENIED = "denied";
    public static final String CANCELLED = "cancelled";
    public static final String EXPIRED = "expired";

    public static final Set<String> TERMINAL = Set.of(SUCCEEDED, FAILED, BLOCKED, DENIED, CANCELLED, EXPIRED);
    public static final Set<String> ALL = Set.of(REQUESTED, ADMITTED, PENDING_APPROVAL, RUNNING, SUCCEEDED, FAILED,
            BLOCKED, DENIED, CANCELLED, EXPIRED);

    public UUID id;
    public String parentRunId;
    public String address;
    /** Address segments 1 and 2: the source name and the scope id the connection is placed in. */
    public String source;
    public String scopeId;
    public String manifestVersion;
    public String principalSubject;
    public String principalChain = "[]";
    public String toolkit;
    public Long policyVersion;
    public String verdict;
    public String inputHash;
    public String status;
    public String output;
    public String outputHandle;
    public Long outputSizeBytes;
    public String error;
    public String traceId;
    public String surface;
    public String idempotencyKey;
    public String replySubject;
    /** Arguments of a pending run, kept only so that ApprovalGranted can carry them. */
    public String arguments;
    public Integer attempts;
    public Long durationMs;
    /** First known occurrence of the run (its request). */
    public Instant createdAt;
    /** Latest event time: what the lease is measured from. */
    public Instant updatedAt;
    public Instant admittedAt;
    public Instant startedAt;
    public Instant finishedAt;
    public Instant approvalExpiresAt;
    public long lastSequence;

    public boolean isTerminal() {
        return status != null && TERMINAL.contains(status);
    }

    public Run copy() {
        Run r = new Run();
        r.id = id;
        r.parentRunId = parentRunId;
        r.address = address;
        r.source = source;
        r.scopeId = scopeId;
        r.manifestVersion = manifestVersion;
        r.principalSubject = principalSubject;
        r.principalChain = principalChain;
        r.toolkit = toolkit;
        r.policyVersion = policyVersion;
        r.verdict = verdict;
        r.inputHash = inputHash;
        r.status = status;
        r.output = output;
        r.outputHandle = outputHandle;
        r.outputSizeBytes = outputSizeBytes;
        r.error = error;
        r.traceId = traceId;
        r.surface = surface;
        r.idempotencyKey = idempotencyKey;
        r.replySubject = replySubject;
        r.arguments = arguments;
        r.attempts = attempts;
        r.durationMs = durationMs;
        r.createdAt = createdAt;
        r.updatedAt = updatedAt;
        r.admittedAt = admittedAt;
        r.startedAt = startedAt;
        r.finishedAt = finishedAt;
        r.approvalExpiresAt = approvalExpiresAt;
        r.lastSequence = lastSequence;
        return r;
    }
}
