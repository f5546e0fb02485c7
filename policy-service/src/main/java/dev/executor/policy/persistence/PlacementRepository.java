package dev.executor.policy.persistence;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.policy.Placement;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Placement rows and the processed-event ledger. Each event is applied in one transaction together
 * with its id, so a redelivered event is a no-op and an offset is only committed after the row is durable.
 */
@ApplicationScoped
public class PlacementRepository {

    /** What to do with the placement of one event. */
    public sealed interface Change {
    }

    /** Insert or replace the placement. */
    public record Upsert(Placement placement) implements Change {
    }

    /** Remove the placement of a record. */
    public record Remove(String recordKind, String recordId) implements Change {
    }

    /** Nothing to change (an event type that does not move placements); only remember the id. */
    public record Ignore() implements Change {
    }

    private final Pool pool;

    public PlacementRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Applies {@code change} unless event {@code eventId} was applied before.
     *
     * @return true when placements changed
     */
    public Uni<Boolean> apply(String eventId, String topic, Change change) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("INSERT INTO policy.processed_event (event_id, topic) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(eventId, topic))
                .chain(inserted -> inserted.rowCount() == 0 ? Uni.createFrom().item(false) : write(conn, change)));
    }

    private static Uni<Boolean> write(SqlConnection conn, Change change) {
        return switch (change) {
            case Upsert(SourcePlacement s) -> upsert(conn, Tuple.from(new Object[] {"source", s.sourceId(),
                    s.scope().toString(), s.sourceId(), s.name(), null, s.kind()}));
            case Upsert(ConnectionPlacement c) -> upsert(conn, Tuple.from(new Object[] {"connection", c.connectionId(),
                    c.scope().toString(), c.sourceId(), c.sourceName(), c.name(), null}));
            case Remove(String kind, String id) -> conn
                    .preparedQuery("DELETE FROM policy.placement WHERE record_kind = $1 AND record_id = $2")
                    .execute(Tuple.of(kind, id)).map(rows -> rows.rowCount() > 0);
            case Ignore() -> Uni.createFrom().item(false);
        };
    }

    private static Uni<Boolean> upsert(SqlConnection conn, Tuple row) {
        return conn.preparedQuery("""
                INSERT INTO policy.placement (record_kind, record_id, scope, source_id, source_name, name, source_kind)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (record_kind, record_id) DO UPDATE SET scope = EXCLUDED.scope, source_id = EXCLUDED.source_id,
                    source_name = EXCLUDED.source_name, name = EXCLUDED.name, source_kind = EXCLUDED.source_kind,
                    updated_at = now()
                """).execute(row).map(rows -> true);
    }
}
