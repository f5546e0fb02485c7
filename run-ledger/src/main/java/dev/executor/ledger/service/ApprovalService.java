package dev.executor.ledger.service;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.ApprovalDecision;
import dev.executor.contracts.events.ApprovalDenied;
import dev.executor.contracts.events.ApprovalExpired;
import dev.executor.contracts.events.ApprovalGranted;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.RunContext;
import dev.executor.contracts.events.Surface;
import dev.executor.contracts.events.Verdict;
import dev.executor.ledger.Caller;
import dev.executor.ledger.Run;
import dev.executor.ledger.messaging.ApprovalDecisionPublisher;
import dev.executor.ledger.persistence.AuditRepository;
import dev.executor.ledger.persistence.OutboxRepository;
import dev.executor.ledger.persistence.RunRepository;
import dev.executor.ledger.service.LedgerException.Kind;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Human decisions on pending Runs. A decision, its audit row and its outbox entry are written in
 * one transaction; the decision event is published from the outbox afterwards. The ledger never
 * executes anything: the invoker consumes the decision and resumes, denies or expires the Run.
 */
@ApplicationScoped
public class ApprovalService {

    private static final Logger LOG = Logger.getLogger(ApprovalService.class);

    public enum Outcome { GRANTED, DENIED }

    /** A recorded decision. */
    public record Decision(UUID runId, String outcome, PrincipalRef decidedBy, Instant decidedAt, String comment) {
    }

    private final RunRepository runs;
    private final OutboxRepository outbox;
    private final AuditRepository audit;
    private final ApprovalDecisionPublisher publisher;
    private final ObjectMapper json;

    public ApprovalService(RunRepository runs, OutboxRepository outbox, AuditRepository audit,
            ApprovalDecisionPublisher publisher, ObjectMapper json) {
        this.runs = runs;
        this.outbox = outbox;
        this.audit = audit;
        this.publisher = publisher;
        this.json = json;
    }

    /**
     * Records a refused approval action (an agent, a service, a caller without the approver role)
     * in the audit log and the log, then fails with 403. The token never appears, only who.
     */
    public <T> Uni<T> refuse(Caller caller, String action, String runId, String why) {
        LOG.warnf("Refused %s on run %s for subject=%s username=%s client=%s: %s", action, runId, caller.subject(),
                caller.username(), caller.clientId(), why);
        return audit.record(runs.pool(), action, "refused", caller, runId, why)
                .onFailure().invoke(e -> LOG.errorf("Could not record the refusal of %s by %s: %s", action, caller.subject(), e))
                .onFailure().recoverWithNull()
                .chain(() -> Uni.createFrom().failure(new LedgerException(Kind.FORBIDDEN, ErrorReasons.PERMISSION_DENIED,
                        "Approvals are a human action for holders of executor-approver: " + why)));
    }

    public Uni<Decision> decide(UUID runId, Caller caller, Outcome outcome, String comment) {
        Instant now = Instant.now();
        PrincipalRef by = PrincipalRef.human(caller.subject(), caller.username());
        return runs.pool().withTransaction(tx -> runs.findForUpdate(tx, runId).flatMap(run -> {
            if (run == null || !caller.visibility().canRead(run)) {
                return Uni.createFrom().failure(LedgerException.runNotFound(runId.toString()));
            }
            if (!caller.visibility().canApprove(run)) {
                return Uni.createFrom().failure(new LedgerException(Kind.FORBIDDEN, ErrorReasons.PERMISSION_DENIED,
                        "Run " + runId + " is placed in scope '" + run.scopeId + "', which is not one of yours."));
            }
            return insertApproval(tx, runId, outcome.name().toLowerCase(), by, now, comment).flatMap(inserted -> {
                if (!inserted) {
                    return Uni.createFrom().failure(new LedgerException(Kind.CONFLICT, ErrorReasons.CONFLICT,
                            "Run " + runId + " has already been decided."));
                }
                if (!Run.PENDING_APPROVAL.equals(run.status)) {
                    return Uni.createFrom().failure(new LedgerException(Kind.CONFLICT, ErrorReasons.CONFLICT,
                            "Run " + runId + " is " + run.status + ", not waiting for an approval."));
                }
                if (run.approvalExpiresAt != null && !run.approvalExpiresAt.isAfter(now)) {
                    return Uni.createFrom().failure(new LedgerException(Kind.CONFLICT, ErrorReasons.CONFLICT,
                            "The approval request of run " + runId + " lapsed at " + run.approvalExpiresAt + "."));
                }
                ApprovalDecision event = outcome == Outcome.GRANTED
                        ? new ApprovalGranted(run.id.toString(), by, now, comment, context(run), arguments(run))
                        : new ApprovalDenied(run.id.toString(), by, now, comment);
                Uni<Void> status = outcome == Outcome.DENIED ? endRun(tx, runId, Run.DENIED, now,
                        "{\"reason\":\"DENIED\",\"message\":\"denied by " + jsonSafe(caller.username()) + "\"}") : Uni.createFrom().voidItem();
                return status.chain(() -> outbox.add(tx, publisher.entry(event)))
                        .chain(() -> audit.record(tx, outcome == Outcome.GRANTED ? "approve" : "deny", "recorded", caller,
                                runId.toString(), comment))
                        .replaceWith(new Decision(runId, outcome.name().toLowerCase(), by, now, comment));
            });
        })).call(() -> publisher.relay());
    }

    /** Expires undecided pending approvals whose deadline is at or before {@code now}; returns how many. */
    public Uni<Integer> expire(Instant now, int limit) {
        return runs.pool().withTransaction(tx -> tx.preparedQuery("SELECT " + "id, approval_expires_at FROM run r "
                + "WHERE status = 'pending_approval' AND approval_expires_at <= $1 "
                + "AND NOT EXISTS (SELECT 1 FROM approval a WHERE a.run_id = r.id) "
                + "ORDER BY approval_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(RunRepository.utc(now), limit))
                .flatMap(rows -> {
                    List<UUID> ids = new java.util.ArrayList<>();
                    rows.forEach(r -> ids.add(r.getUUID("id")));
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (UUID id : ids) {
                        String why = "no decision before the approval deadline";
                        chain = chain.chain(() -> insertApproval(tx, id, "expired", null, now, why))
                                .chain(inserted -> !inserted ? Uni.createFrom().voidItem()
                                        : endRun(tx, id, Run.EXPIRED, now,
                                                "{\"reason\":\"EXPIRED\",\"message\":\"" + why + "\"}")
                                                .chain(() -> outbox.add(tx, publisher.entry(
                                                        new ApprovalExpired(id.toString(), now, why)))));
                    }
                    return chain.replaceWith(ids.size());
                }))
                .call(n -> n > 0 ? publisher.relay() : Uni.createFrom().voidItem());
    }

    private Uni<Boolean> insertApproval(SqlConnection tx, UUID runId, String outcome, PrincipalRef by, Instant at,
            String comment) {
        return tx.preparedQuery("INSERT INTO approval (run_id, outcome, decided_by_sub, decided_by_name, decided_at, comment) "
                + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING run_id")
                .execute(Tuple.from(Arrays.asList(runId, outcome, by == null ? null : by.subject(),
                        by == null ? null : by.username(), RunRepository.utc(at), comment)))
                .map(rows -> rows.rowCount() == 1);
    }

    private static Uni<Void> endRun(SqlConnection tx, UUID runId, String status, Instant at, String errorJson) {
        return tx.preparedQuery("UPDATE run SET status = $2, finished_at = $3, error = $4::text::jsonb, arguments = NULL "
                + "WHERE id = $1 AND status NOT IN ('succeeded', 'failed', 'blocked', 'denied', 'cancelled', 'expired')")
                .execute(Tuple.of(runId, status, RunRepository.utc(at), errorJson)).replaceWithVoid();
    }

    private RunContext context(Run run) {
        try {
            List<PrincipalRef> chain = json.readValue(run.principalChain == null ? "[]" : run.principalChain,
                    new TypeReference<List<PrincipalRef>>() {
                    });
            return new RunContext(run.address, run.manifestVersion, chain, run.toolkit,
                    run.surface == null ? null : Surface.valueOf(run.surface.toUpperCase()), run.idempotencyKey,
                    run.inputHash, run.policyVersion, run.verdict == null ? null : Verdict.valueOf(run.verdict.toUpperCase()),
                    run.traceId, run.parentRunId, run.replySubject);
        } catch (Exception e) {
            throw new IllegalStateException("Run " + run.id + " has an unreadable context", e);
        }
    }

    private JsonNode arguments(Run run) {
        try {
            return run.arguments == null ? null : json.readTree(run.arguments);
        } catch (Exception e) {
            throw new IllegalStateException("Run " + run.id + " has unreadable arguments", e);
        }
    }

    private static String jsonSafe(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
