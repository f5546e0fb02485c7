package dev.executor.ledger.persistence;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Table {@code outbox}: events written in their cause's transaction, published afterwards. */
@ApplicationScoped
public class OutboxRepository {

    public record Entry(String eventId, String topic, String key, String payload) {
    }

    public Uni<Void> add(SqlClient tx, Entry e) {
        return tx.preparedQuery("INSERT INTO outbox (event_id, topic, record_key, payload) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(e.eventId(), e.topic(), e.key(), e.payload())).replaceWithVoid();
    }

    /** The oldest unpublished entries, locked (other replicas skip them). */
    public Uni<List<Entry>> lockUnpublished(SqlConnection tx, int limit) {
        return tx.preparedQuery("SELECT event_id, topic, record_key, payload FROM outbox WHERE published_at IS NULL "
                + "ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED").execute(Tuple.of(limit))
                .map(rows -> {
                    List<Entry> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3))));
                    return list;
                });
    }

    public Uni<Void> markPublished(SqlConnection tx, List<String> eventIds) {
        return tx.preparedQuery("UPDATE outbox SET published_at = now() WHERE event_id = ANY($1)")
                .execute(Tuple.of(eventIds.toArray(String[]::new))).replaceWithVoid();
    }
}
