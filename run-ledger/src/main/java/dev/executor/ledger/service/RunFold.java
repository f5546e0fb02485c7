package dev.executor.ledger.service;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.events.RunAdmitted;
import dev.executor.contracts.events.RunApproved;
import dev.executor.contracts.events.RunBlocked;
import dev.executor.contracts.events.RunCancelled;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.RunDenied;
import dev.executor.contracts.events.RunEvent;
import dev.executor.contracts.events.RunExpired;
import dev.executor.contracts.events.RunFailed;
import dev.executor.contracts.events.RunPendingApproval;
import dev.executor.contracts.events.RunRequested;
import dev.executor.contracts.events.RunStarted;
import dev.executor.contracts.events.RunSucceeded;
import dev.executor.ledger.Run;

/**
 * Folds run events into a {@link Run}, whatever order they arrive in. Pure and deterministic, so
 * that applying the same set of events in any order, any number of times, gives the same Run:
 * <ul>
 * <li>the status is the one of the highest sequence seen, except that a terminal status is never
 * left (a late, lower-sequence event cannot regress it, and a terminal event always wins over a
 * non-terminal state);</li>
 * <li>context members come from the highest sequence that carries them (a late event only fills
 * gaps);</li>
 * <li>timestamps are the earliest occurrence of their transition; {@code updatedAt} the latest event.</li>
 * </ul>
 */
public final class RunFold {

    private final ObjectMapper json;
    private final Duration approvalTtl;

    public RunFold(ObjectMapper json, Duration approvalTtl) {
        this.json = json;
        this.approvalTtl = approvalTtl;
    }

    /** The Run status right after {@code event}, e.g. {@code pending_approval}. */
    public static String statusOf(RunEvent event) {
        return switch (event) {
            case RunRequested e -> Run.REQUESTED;
            case RunAdmitted e -> Run.ADMITTED;
            case RunPendingApproval e -> Run.PENDING_APPROVAL;
            // Approved: admission follows; until then the run is no longer waiting for a human.
            case RunApproved e -> Run.ADMITTED;
            case RunStarted e -> Run.RUNNING;
            case RunSucceeded e -> Run.SUCCEEDED;
            case RunFailed e -> Run.FAILED;
            case RunBlocked e -> Run.BLOCKED;
            case RunDenied e -> Run.DENIED;
            case RunCancelled e -> Run.CANCELLED;
            case RunExpired e -> Run.EXPIRED;
        };
    }

    /** {@code current} (null for a run not seen yet) with {@code event} applied; {@code current} is untouched. */
    public Run apply(Run current, RunEvent event) {
        Run run = current == null ? new Run() : current.copy();
        if (run.id == null) {
            run.id = UUID.fromString(event.runId());
        }
        boolean newest = current == null || event.sequence() > run.lastSequence;
        applyContext(run, event.context(), newest);
        Instant at = event.occurredAt();
        run.createdAt = min(run.createdAt, at);
        run.updatedAt = max(run.updatedAt, at);

        String next = statusOf(event);
        boolean terminal = Run.TERMINAL.contains(next);
        boolean takesStatus = !run.isTerminal() && (newest || terminal || run.status == null);
        if (takesStatus) {
            run.status = next;
        }
        switch (event) {
            case RunAdmitted e -> run.admittedAt = min(run.admittedAt, at);
            case RunApproved e -> run.admittedAt = min(run.admittedAt, at);
            case RunStarted e -> {
                run.startedAt = min(run.startedAt, at);
                run.attempts = run.attempts == null ? e.attempt() : Math.max(run.attempts, e.attempt());
            }
            case RunPendingApproval e -> {
                if (e.arguments() != null && run.arguments == null) {
                    run.arguments = write(e.arguments());
                }
                Instant byTtl = at.plus(approvalTtl);
                run.approvalExpiresAt = e.expiresAt() == null ? byTtl : min(e.expiresAt(), byTtl);
            }
            default -> {
            }
        }
        if (terminal && takesStatus) {
            run.finishedAt = at;
            run.arguments = null;
            applyOutcome(run, event);
        }
        run.lastSequence = Math.max(run.lastSequence, event.sequence());
        return run;
    }

    private void applyOutcome(Run run, RunEvent event) {
        switch (event) {
            case RunSucceeded e -> {
                if (e.output() != null) {
                    run.output = e.output().inline() == null ? null : write(e.output().inline());
                    run.outputHandle = e.output().handle();
                    run.outputSizeBytes = e.output().sizeBytes();
                }
                run.attempts = e.attempts();
                run.durationMs = e.durationMs();
            }
            case RunFailed e -> {
                run.error = write(e.error());
                run.attempts = e.attempts();
                run.durationMs = e.durationMs();
            }
            case RunBlocked e -> run.error = write(e.error());
            case RunDenied e -> run.error = error("DENIED", e.comment() == null ? "denied by an approver" : e.comment());
            case RunCancelled e -> run.error = error("CANCELLED", e.reason() == null ? "cancelled" : e.reason());
            case RunExpired e -> run.error = error("EXPIRED", e.reason());
            default -> {
            }
        }
    }

    private void applyContext(Run run, RunContext c, boolean newest) {
        if (c == null) {
            return;
        }
        run.address = pick(run.address, c.address(), newest);
        if (run.address != null) {
            String[] parts = run.address.split("\\.", 4);
            run.source = parts[0];
            run.scopeId = parts.length > 1 ? parts[1] : null;
        }
        run.manifestVersion = pick(run.manifestVersion, c.manifestVersion(), newest);
        if (c.principalChain() != null && !c.principalChain().isEmpty()
                && (newest || run.principalSubject == null)) {
            run.principalChain = write(c.principalChain());
            run.principalSubject = c.principalChain().getFirst().subject();
        }
        run.toolkit = pick(run.toolkit, c.toolkit(), newest);
        run.surface = pick(run.surface, c.surface() == null ? null : c.surface().name().toLowerCase(), newest);
        run.idempotencyKey = pick(run.idempotencyKey, c.idempotencyKey(), newest);
        run.inputHash = pick(run.inputHash, c.inputHash(), newest);
        run.policyVersion = pick(run.policyVersion, c.policyVersion(), newest);
        run.verdict = pick(run.verdict, c.verdict() == null ? null : c.verdict().name().toLowerCase(), newest);
        run.traceId = pick(run.traceId, c.traceId(), newest);
        run.parentRunId = pick(run.parentRunId, c.parentRunId(), newest);
        run.replySubject = pick(run.replySubject, c.replySubject(), newest);
    }

    private static <T> T pick(T current, T incoming, boolean newest) {
        if (incoming == null) {
            return current;
        }
        return newest || current == null ? incoming : current;
    }

    private String error(String reason, String message) {
        return write(new dev.executor.contracts.events.ErrorInfo(reason, message));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
