package dev.executor.invoker.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Tables {@code run}, {@code idempotency_key} and {@code outbox}. Every state change is one SQL
 * statement that also writes the change's run events into the outbox, so a transition and its
 * events commit together or not at all (DESIGN §3 rule 5) in one round trip.
 */
@ApplicationScoped
public class RunStore {

    /** One outbox row: a structured CloudEvent for {@code executor.run.events}, keyed by run id. */
    public record OutboxRow(UUID id, String topic, String key, String payload) {
    }

    /** What a new Run starts as. */
    public record NewRun(UUID id, String status, String address, byte[] principal, String subject, String toolkit,
            String contextJson, String sideEffect, long sequence, String resultJson, String owner, Instant leaseUntil) {
    }

    /** A Run as stored. */
    public record StoredRun(UUID id, String status, String address, byte[] principal, String subject, String toolkit,
            String contextJson, String sideEffect, long sequence, String resultJson, String owner, Instant leaseUntil) {

        public boolean terminal() {
            return switch (status) {
                case "SUCCEEDED", "FAILED", "BLOCKED", "DENIED", "CANCELLED", "EXPIRED" -> true;
                default -> false;
            };
        }
    }

    /** Outcome of {@link #create}: the new Run's id, or the Run an earlier call with the same key created. */
    public record Created(boolean created, UUID runId) {
    }

    private static final String COLUMNS = "id, status, address, principal, subject, toolkit, context::text, side_effect, sequence, "
            + "result::text, owner, lease_until";

    private static final String OUTBOX_INSERT = "INSERT INTO outbox (id, topic, event_key, payload, run_id) "
            + "SELECT o.id, o.topic, o.k, o.payload::jsonb, o.run_id FROM unnest($%d::uuid[], $%d::text[], $%d::text[], $%d::text[], "
            + "$%d::uuid[]) AS o(id, topic, k, payload, run_id)";

    private static final String RUN_INSERT = "INSERT INTO run (id, status, address, principal, subject, toolkit, context, side_effect, "
            + "sequence, result, owner, lease_until) ";

    private final Pool pool;

    public RunStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * Inserts {@code run} and its first events. With an idempotency key, the key is claimed in the
     * same statement: when it is already taken (by this caller), nothing is written and the earlier
     * Run's id is returned.
     */
    public Uni<Created> create(NewRun run, String idempotencyKey, List<OutboxRow> events) {
        Object[] outbox = outboxArrays(events);
        if (idempotencyKey == null || idempotencyKey.isEmpty()) {
            String sql = "WITH r AS (" + RUN_INSERT + "VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9, $10::text::jsonb, $11, $12) RETURNING id), "
                    + "o AS (" + OUTBOX_INSERT.formatted(13, 14, 15, 16, 17) + ") SELECT count(*) FROM r";
            return pool.preparedQuery(sql).execute(runTuple(run).addValue(outbox[0]).addValue(outbox[1]).addValue(outbox[2])
                    .addValue(outbox[3]).addValue(outbox[4])).replaceWith(new Created(true, run.id()));
        }
        String sql = "WITH k AS (INSERT INTO idempotency_key (subject, key, run_id) VALUES ($5, $18, $1) ON CONFLICT DO NOTHING "
                + "RETURNING run_id), r AS (" + RUN_INSERT + "SELECT $1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9, $10::text::jsonb, $11, $12 "
                + "WHERE EXISTS (SELECT 1 FROM k) RETURNING id), o AS (" + OUTBOX_INSERT.formatted(13, 14, 15, 16, 17)
                + " WHERE EXISTS (SELECT 1 FROM r)) SELECT (SELECT count(*) FROM r), "
                + "(SELECT run_id FROM idempotency_key WHERE subject = $5 AND key = $18)";
        Tuple args = runTuple(run).addValue(outbox[0]).addValue(outbox[1]).addValue(outbox[2]).addValue(outbox[3]).addValue(outbox[4])
                .addValue(idempotencyKey);
        return pool.preparedQuery(sql).execute(args).flatMap(rows -> {
            Row row = rows.iterator().next();
            if (row.getLong(0) > 0) {
                return Uni.createFrom().item(new Created(true, run.id()));
            }
            UUID existing = row.getUUID(1);
            if (existing != null) {
                return Uni.createFrom().item(new Created(false, existing));
            }
            // The key was claimed by a statement that had not committed when this one started: read it now.
            return pool.preparedQuery("SELECT run_id FROM idempotency_key WHERE subject = $1 AND key = $2")
                    .execute(Tuple.of(run.subject(), idempotencyKey))
                    .map(r -> new Created(false, r.iterator().next().getUUID(0)));
        });
    }

    /**
     * Moves a Run from one of {@code from} to {@code to} and writes {@code events}; false (and nothing
     * written) when the Run was no longer in one of {@code from} (a cancel or another instance won).
     */
    public Uni<Boolean> transition(UUID id, List<String> from, String to, long sequence, String contextJson, String resultJson,
            Instant leaseUntil, String owner, List<OutboxRow> events) {
        Object[] outbox = outboxArrays(events);
        String sql = "WITH u AS (UPDATE run SET status = $2, sequence = $3, context = coalesce($4::text::jsonb, context), "
                + "result = coalesce($5::text::jsonb, result), lease_until = $6, owner = coalesce($7, owner), updated_at = now() "
                + "WHERE id = $1 AND status = ANY($8) RETURNING id), o AS (" + OUTBOX_INSERT.formatted(9, 10, 11, 12, 13)
                + " WHERE EXISTS (SELECT 1 FROM u)) SELECT count(*) FROM u";
        Tuple args = Tuple.tuple().addValue(id).addValue(to).addValue(sequence).addValue(contextJson).addValue(resultJson)
                .addValue(offset(leaseUntil)).addValue(owner).addValue(from.toArray(String[]::new)).addValue(outbox[0])
                .addValue(outbox[1]).addValue(outbox[2]).addValue(outbox[3]).addValue(outbox[4]);
        return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next().getLong(0) > 0);
    }

    /** Writes events that belong to no stored Run (a request refused before it became one). */
    public Uni<Void> events(List<OutboxRow> events) {
        Object[] outbox = outboxArrays(events);
        return pool.preparedQuery(OUTBOX_INSERT.formatted(1, 2, 3, 4, 5))
                .execute(Tuple.tuple().addValue(outbox[0]).addValue(outbox[1]).addValue(outbox[2]).addValue(outbox[3]).addValue(outbox[4]))
                .replaceWithVoid();
    }

    public Uni<StoredRun> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /**
     * Deletes at most {@code limit} finished Runs last changed before {@code runsBefore}, and at most
     * {@code limit} idempotency keys created before {@code keysBefore} whose Run is finished or gone
     * (a key of a Run still pending or running stays, so a retry cannot start it twice). Returns
     * how many Runs and keys went. run-ledger keeps the history; this is the invoker's working state.
     */
    public Uni<int[]> purge(Instant runsBefore, Instant keysBefore, int limit) {
        String keys = "DELETE FROM idempotency_key k WHERE (k.subject, k.key) IN (SELECT i.subject, i.key FROM idempotency_key i "
                + "LEFT JOIN run r ON r.id = i.run_id WHERE i.created_at < $1 AND (r.id IS NULL OR r.status IN "
                + "('SUCCEEDED', 'FAILED', 'BLOCKED', 'DENIED', 'CANCELLED', 'EXPIRED')) LIMIT $2)";
        String runs = "DELETE FROM run WHERE id IN (SELECT id FROM run WHERE status IN "
                + "('SUCCEEDED', 'FAILED', 'BLOCKED', 'DENIED', 'CANCELLED', 'EXPIRED') AND updated_at < $1 LIMIT $2)";
        return pool.preparedQuery(keys).execute(Tuple.of(offset(keysBefore), limit))
                .flatMap(k -> pool.preparedQuery(runs).execute(Tuple.of(offset(runsBefore), limit))
                        .map(r -> new int[] { r.rowCount(), k.rowCount() }));
    }

    /** Runs claimed by an instance whose claim lapsed (it died or lost the Run), oldest first. */
    public Uni<List<StoredRun>> lapsed(int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM run WHERE status IN ('ADMITTED', 'RUNNING') AND lease_until < now() "
                + "ORDER BY lease_until LIMIT $1").execute(Tuple.of(limit)).map(rows -> {
                    List<StoredRun> list = new ArrayList<>();
                    rows.forEach(r -> list.add(stored(r)));
                    return list;
                });
    }

    /** Outbox rows not relayed after {@code olderThanSeconds} (their fast-path publish failed or the pod died), locked. */
    public Uni<List<OutboxRow>> lockStale(SqlClient tx, int olderThanSeconds, int limit) {
        return tx.preparedQuery("SELECT id, topic, event_key, payload::text FROM outbox WHERE created_at < now() - make_interval(secs => $1) "
                + "ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED").execute(Tuple.of(olderThanSeconds, limit)).map(rows -> {
                    List<OutboxRow> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new OutboxRow(r.getUUID(0), r.getString(1), r.getString(2), r.getString(3))));
                    return list;
                });
    }

    /** Removes relayed rows. */
    public Uni<Void> deleteOutbox(SqlClient client, List<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)").execute(Tuple.of(ids.toArray(UUID[]::new))).replaceWithVoid();
    }

    private static Tuple runTuple(NewRun run) {
        return Tuple.tuple().addValue(run.id()).addValue(run.status()).addValue(run.address())
                .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(run.principal())).addValue(run.subject()).addValue(run.toolkit())
                .addValue(run.contextJson()).addValue(run.sideEffect()).addValue(run.sequence()).addValue(run.resultJson())
                .addValue(run.owner()).addValue(offset(run.leaseUntil()));
    }

    private static Object[] outboxArrays(List<OutboxRow> events) {
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] topics = new String[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        UUID[] runs = new UUID[n];
        for (int i = 0; i < n; i++) {
            OutboxRow e = events.get(i);
            ids[i] = e.id();
            topics[i] = e.topic();
            keys[i] = e.key();
            payloads[i] = e.payload();
            runs[i] = parseOrNull(e.key());
        }
        return new Object[] { ids, topics, keys, payloads, runs };
    }

    private static UUID parseOrNull(String key) {
        try {
            return UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OffsetDateTime offset(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    private static StoredRun stored(Row r) {
        io.vertx.mutiny.core.buffer.Buffer principal = r.getBuffer(3);
        OffsetDateTime lease = r.getOffsetDateTime(11);
        return new StoredRun(r.getUUID(0), r.getString(1), r.getString(2), principal == null ? new byte[0] : principal.getBytes(),
                r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getLong(8), r.getString(9), r.getString(10),
                lease == null ? null : lease.toInstant());
    }

}
