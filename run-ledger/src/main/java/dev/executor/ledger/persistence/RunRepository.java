package dev.executor.ledger.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.ledger.Run;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * SQL over the reactive PostgreSQL pool (the one Hibernate Reactive would use). The ledger's
 * writes are set-based upserts guarded by sequence and its reads keyset queries with optional
 * filters: both are plain SQL, so this repository speaks SQL rather than mapping entities.
 * Methods taking a {@link SqlConnection} run inside the caller's transaction.
 */
@ApplicationScoped
public class RunRepository {

    static final String COLUMNS = "id, parent_run_id, address, source, scope_id, manifest_version, principal_subject, "
            + "principal_chain::text AS principal_chain, toolkit, policy_version, verdict, input_hash, status, "
            + "output::text AS output, output_handle, output_size_bytes, error::text AS error, trace_id, surface, "
            + "idempotency_key, reply_subject, arguments::text AS arguments, attempts, duration_ms, created_at, "
            + "updated_at, admitted_at, started_at, finished_at, approval_expires_at, last_sequence";

    private static final String UPSERT = """
            INSERT INTO run (id, parent_run_id, address, source, scope_id, manifest_version, principal_subject,
                principal_chain, toolkit, policy_version, verdict, input_hash, status, output, output_handle,
                output_size_bytes, error, trace_id, surface, idempotency_key, reply_subject, arguments, attempts,
                duration_ms, created_at, updated_at, admitted_at, started_at, finished_at, approval_expires_at,
                last_sequence)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11, $12, $13, $14::text::jsonb, $15, $16, $17::text::jsonb,
                $18, $19, $20, $21, $22::text::jsonb, $23, $24, $25, $26, $27, $28, $29, $30, $31)
            ON CONFLICT (id) DO UPDATE SET parent_run_id = EXCLUDED.parent_run_id, address = EXCLUDED.address,
                source = EXCLUDED.source, scope_id = EXCLUDED.scope_id, manifest_version = EXCLUDED.manifest_version,
                principal_subject = EXCLUDED.principal_subject, principal_chain = EXCLUDED.principal_chain,
                toolkit = EXCLUDED.toolkit, policy_version = EXCLUDED.policy_version, verdict = EXCLUDED.verdict,
                input_hash = EXCLUDED.input_hash, status = EXCLUDED.status, output = EXCLUDED.output,
                output_handle = EXCLUDED.output_handle, output_size_bytes = EXCLUDED.output_size_bytes,
                error = EXCLUDED.error, trace_id = EXCLUDED.trace_id, surface = EXCLUDED.surface,
                idempotency_key = EXCLUDED.idempotency_key, reply_subject = EXCLUDED.reply_subject,
                arguments = EXCLUDED.arguments, attempts = EXCLUDED.attempts, duration_ms = EXCLUDED.duration_ms,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
                admitted_at = EXCLUDED.admitted_at, started_at = EXCLUDED.started_at,
                finished_at = EXCLUDED.finished_at, approval_expires_at = EXCLUDED.approval_expires_at,
                last_sequence = EXCLUDED.last_sequence
            """;

    /** One timeline entry, as stored. */
    public record TimelineEntry(String eventId, UUID runId, long sequence, String type, Instant occurredAt,
            String status, String dataJson) {
    }

    /** A recorded decision. */
    public record ApprovalRow(UUID runId, String outcome, String decidedBySubject, String decidedByName,
            Instant decidedAt, String comment) {
    }

    /** A slice of a stored output. */
    public record OutputSlice(byte[] data, long totalSize, String contentType) {
    }

    private final Pool pool;

    public RunRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    // ---- ingest (inside the caller's transaction) ----

    /** Marks the event ids processed; returns those that were not already. */
    public Uni<Set<String>> claimEvents(SqlConnection tx, Collection<String> eventIds) {
        return tx.preparedQuery("INSERT INTO processed_event (event_id) SELECT unnest($1::text[]) "
                + "ON CONFLICT DO NOTHING RETURNING event_id")
                .execute(Tuple.of(eventIds.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> fresh = new HashSet<>();
                    rows.forEach(r -> fresh.add(r.getString(0)));
                    return fresh;
                });
    }

    /** The runs with these ids, locked for the rest of the transaction. */
    public Uni<Map<UUID, Run>> lock(SqlConnection tx, Collection<UUID> ids) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Run> runs = new HashMap<>();
                    rows.forEach(r -> runs.put(r.getUUID("id"), toRun(r)));
                    return runs;
                });
    }

    public Uni<Void> upsert(SqlConnection tx, List<Run> runs) {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(UPSERT).executeBatch(runs.stream().map(RunRepository::tuple).toList()).replaceWithVoid();
    }

    public Uni<Void> appendTimeline(SqlConnection tx, List<TimelineEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = entries.stream().map(e -> Tuple.from(Arrays.asList(e.eventId(), e.runId(), e.sequence(),
                e.type(), utc(e.occurredAt()), e.status(), e.dataJson()))).toList();
        return tx.preparedQuery("INSERT INTO run_event (event_id, run_id, sequence, type, occurred_at, status, data) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb) ON CONFLICT DO NOTHING").executeBatch(tuples)
                .replaceWithVoid();
    }

    // ---- reads ----

    public Uni<Run> find(SqlClient client, UUID id) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? toRun(rows.iterator().next()) : null);
    }

    public Uni<Run> findForUpdate(SqlConnection tx, UUID id) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? toRun(rows.iterator().next()) : null);
    }

    public Uni<Run> findByOutputHandle(String handle) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE id = (SELECT run_id FROM run_output WHERE handle = $1) "
                + "OR output_handle = $1 LIMIT 1").execute(Tuple.of(handle))
                .map(rows -> rows.iterator().hasNext() ? toRun(rows.iterator().next()) : null);
    }

    /** Stores a large output under {@code handle}; storing it again is a no-op (the invoker may retry). */
    public Uni<Void> storeOutput(String handle, UUID runId, byte[] content, String contentType) {
        return pool.preparedQuery("INSERT INTO run_output (handle, run_id, content_type, content) VALUES ($1, $2, $3, $4) "
                + "ON CONFLICT (handle) DO NOTHING")
                .execute(Tuple.tuple().addValue(handle).addValue(runId).addValue(contentType)
                        .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(content))).replaceWithVoid();
    }

    public Uni<OutputSlice> readOutput(String handle, long offset, int maxBytes) {
        return pool.preparedQuery("SELECT substring(content FROM $2 FOR $3) AS data, octet_length(content) AS size, "
                + "content_type FROM run_output WHERE handle = $1")
                .execute(Tuple.of(handle, (int) Math.min(Integer.MAX_VALUE, offset + 1), maxBytes))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new OutputSlice(r.getBuffer("data").getBytes(), r.getInteger("size"), r.getString("content_type"));
                });
    }

    public Uni<List<Run>> query(RunQuery q) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM run WHERE TRUE");
        q.appendWhere(sql, params);
        sql.append(q.ascending() ? " ORDER BY created_at ASC, id ASC" : " ORDER BY created_at DESC, id DESC");
        params.add(q.limit());
        sql.append(" LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Run> runs = new ArrayList<>();
            rows.forEach(r -> runs.add(toRun(r)));
            return runs;
        });
    }

    public Uni<List<TimelineEntry>> timeline(UUID runId) {
        return pool.preparedQuery("SELECT event_id, run_id, sequence, type, occurred_at, status, data::text AS data "
                + "FROM run_event WHERE run_id = $1 ORDER BY sequence, received_at").execute(Tuple.of(runId))
                .map(rows -> {
                    List<TimelineEntry> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new TimelineEntry(r.getString("event_id"), r.getUUID("run_id"),
                            r.getLong("sequence"), r.getString("type"), instant(r, "occurred_at"),
                            r.getString("status"), r.getString("data"))));
                    return list;
                });
    }

    public Uni<List<ApprovalRow>> approvals(UUID runId) {
        return pool.preparedQuery("SELECT run_id, outcome, decided_by_sub, decided_by_name, decided_at, comment "
                + "FROM approval WHERE run_id = $1").execute(Tuple.of(runId))
                .map(rows -> {
                    List<ApprovalRow> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new ApprovalRow(r.getUUID("run_id"), r.getString("outcome"),
                            r.getString("decided_by_sub"), r.getString("decided_by_name"), instant(r, "decided_at"),
                            r.getString("comment"))));
                    return list;
                });
    }

    // ---- mapping ----

    static Tuple tuple(Run r) {
        return Tuple.from(Arrays.asList(r.id, r.parentRunId, r.address, r.source, r.scopeId, r.manifestVersion,
                r.principalSubject, r.principalChain == null ? "[]" : r.principalChain, r.toolkit, r.policyVersion,
                r.verdict, r.inputHash, r.status == null ? Run.REQUESTED : r.status, r.output, r.outputHandle,
                r.outputSizeBytes, r.error, r.traceId, r.surface, r.idempotencyKey, r.replySubject, r.arguments,
                r.attempts, r.durationMs, utc(r.createdAt == null ? Instant.now() : r.createdAt),
                utc(r.updatedAt == null ? Instant.now() : r.updatedAt), utc(r.admittedAt), utc(r.startedAt),
                utc(r.finishedAt), utc(r.approvalExpiresAt), r.lastSequence));
    }

    public static Run toRun(Row row) {
        Run r = new Run();
        r.id = row.getUUID("id");
        r.parentRunId = row.getString("parent_run_id");
        r.address = row.getString("address");
        r.source = row.getString("source");
        r.scopeId = row.getString("scope_id");
        r.manifestVersion = row.getString("manifest_version");
        r.principalSubject = row.getString("principal_subject");
        r.principalChain = row.getString("principal_chain");
        r.toolkit = row.getString("toolkit");
        r.policyVersion = row.getLong("policy_version");
        r.verdict = row.getString("verdict");
        r.inputHash = row.getString("input_hash");
        r.status = row.getString("status");
        r.output = row.getString("output");
        r.outputHandle = row.getString("output_handle");
        r.outputSizeBytes = row.getLong("output_size_bytes");
        r.error = row.getString("error");
        r.traceId = row.getString("trace_id");
        r.surface = row.getString("surface");
        r.idempotencyKey = row.getString("idempotency_key");
        r.replySubject = row.getString("reply_subject");
        r.arguments = row.getString("arguments");
        r.attempts = row.getInteger("attempts");
        r.durationMs = row.getLong("duration_ms");
        r.createdAt = instant(row, "created_at");
        r.updatedAt = instant(row, "updated_at");
        r.admittedAt = instant(row, "admitted_at");
        r.startedAt = instant(row, "started_at");
        r.finishedAt = instant(row, "finished_at");
        r.approvalExpiresAt = instant(row, "approval_expires_at");
        r.lastSequence = row.getLong("last_sequence");
        return r;
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    public static OffsetDateTime utc(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
