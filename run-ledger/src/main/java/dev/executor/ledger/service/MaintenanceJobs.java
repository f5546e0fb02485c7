package dev.executor.ledger.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.ledger.config.LedgerConfig;
import dev.executor.ledger.persistence.RunRepository;
import dev.executor.ledger.persistence.SchemaMigrator;
import io.quarkus.scheduler.Scheduled;
import org.eclipse.microprofile.health.Readiness;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The ledger's clocks: approval expiry, lease recovery and retention. Every job is safe to run on
 * several replicas at once (row locks with {@code SKIP LOCKED}, or idempotent guarded updates), and
 * each method takes "now" so tests can move time instead of waiting.
 */
@ApplicationScoped
public class MaintenanceJobs {

    private static final Logger LOG = Logger.getLogger(MaintenanceJobs.class);
    static final String LEASE_EXPIRED = "LEASE_EXPIRED";

    private final ApprovalService approvals;
    private final RunRepository runs;
    private final LedgerConfig config;

    private final SchemaMigrator schema;

    public MaintenanceJobs(ApprovalService approvals, RunRepository runs, LedgerConfig config, @Readiness SchemaMigrator schema) {
        this.schema = schema;
        this.approvals = approvals;
        this.runs = runs;
        this.config = config;
    }

    @Scheduled(every = "${ledger.jobs.every:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        if (!schema.isMigrated()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = Instant.now();
        return expireApprovals(now).chain(() -> recoverLeases(now)).chain(() -> purge(now))
                .onFailure().invoke(e -> LOG.warnf("Ledger maintenance failed (%s); next pass retries", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Pending approvals past their deadline become {@code expired}; an ApprovalExpired is emitted for each. */
    public Uni<Integer> expireApprovals(Instant now) {
        return approvals.expire(now, 500).invoke(n -> {
            if (n > 0) {
                LOG.infof("Expired %d pending approval(s)", n);
            }
        });
    }

    /**
     * Runs stuck in {@code requested}, {@code admitted} or {@code running} with no event for longer
     * than {@code ledger.run.lease} end as {@code failed} with reason {@value #LEASE_EXPIRED}: their
     * invoker died or lost them. So do approved Runs still pending a lease after the grant (no
     * invoker picked the decision up). A later genuine event stays in the timeline but, terminal being
     * final, does not change the status.
     */
    public Uni<Integer> recoverLeases(Instant now) {
        Instant cutoff = now.minus(config.run().lease());
        String error = "{\"reason\":\"" + LEASE_EXPIRED + "\",\"message\":\"no progress from the invoker within "
                + config.run().lease() + "\"}";
        // Also approved Runs the invoker never resumed: granted longer than a lease ago, still pending.
        return runs.pool().preparedQuery("UPDATE run SET status = 'failed', finished_at = $2, error = $3::text::jsonb "
                + "WHERE (status IN ('requested', 'admitted', 'running') AND updated_at < $1) "
                + "OR (status = 'pending_approval' AND id IN (SELECT run_id FROM approval "
                + "WHERE outcome = 'granted' AND decided_at < $1)) RETURNING id")
                .execute(Tuple.of(RunRepository.utc(cutoff), RunRepository.utc(now), error))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getUUID(0)));
                    if (!ids.isEmpty()) {
                        LOG.warnf("Ended %d run(s) as failed/%s: %s", ids.size(), LEASE_EXPIRED, ids);
                    }
                    return ids.size();
                });
    }

    /** Deletes terminal Runs finished before {@code now - ledger.retention}, with their timeline, decision and outputs. */
    public Uni<Integer> purge(Instant now) {
        Instant cutoff = now.minus(config.retention());
        return runs.pool().withTransaction(tx -> tx.preparedQuery("WITH gone AS (DELETE FROM run WHERE id IN ("
                + "SELECT id FROM run WHERE finished_at < $1 "
                + "AND status IN ('succeeded', 'failed', 'blocked', 'denied', 'cancelled', 'expired') LIMIT $2) RETURNING id), "
                + "e AS (DELETE FROM run_event WHERE run_id IN (SELECT id FROM gone)), "
                + "a AS (DELETE FROM approval WHERE run_id IN (SELECT id FROM gone)), "
                + "o AS (DELETE FROM run_output WHERE run_id IN (SELECT id FROM gone)) "
                + "SELECT count(*) FROM gone")
                .execute(Tuple.of(RunRepository.utc(cutoff), config.retentionBatch()))
                .map(rows -> (int) (long) rows.iterator().next().getLong(0))
                .call(n -> tx.preparedQuery("DELETE FROM processed_event WHERE processed_at < $1")
                        .execute(Tuple.of(RunRepository.utc(cutoff))))
                .call(n -> tx.preparedQuery("DELETE FROM outbox WHERE published_at < $1")
                        .execute(Tuple.of(RunRepository.utc(cutoff))))
                .call(n -> tx.preparedQuery("DELETE FROM audit_log WHERE at < $1")
                        .execute(Tuple.of(RunRepository.utc(cutoff)))))
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("Purged %d run(s) finished before %s", n, cutoff);
                    }
                });
    }
}
