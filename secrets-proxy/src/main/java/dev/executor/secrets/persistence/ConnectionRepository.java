package dev.executor.secrets.persistence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.secrets.AuthTemplate;
import dev.executor.secrets.Connection;
import dev.executor.secrets.EgressRule;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Connections in PostgreSQL, through the reactive client. Plain SQL rather than Hibernate: the
 * token refresh needs advisory locks in the same transaction, and Forward's lookup is on the hot
 * path.
 */
@ApplicationScoped
public class ConnectionRepository {

    private static final String COLUMNS = "id, scope, source, source_id, name, auth, secret_refs, hosts, egress, status, created_by, created_at, updated_at";

    private final Pool pool;
    private final ObjectMapper mapper;

    public ConnectionRepository(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    public Uni<Void> insert(SqlClient tx, Connection c) {
        return tx.preparedQuery("INSERT INTO connection (id, scope, source, source_id, name, auth_kind, auth, secret_refs, hosts, egress, status, created_by, created_at, updated_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
                .execute(Tuple.from(new Object[] { c.id(), c.scope(), c.source(), c.sourceId(), c.name(), c.auth().kind(),
                        new JsonObject(write(c.auth())), new JsonObject(write(c.secretRefs())),
                        c.hosts().toArray(String[]::new), new JsonArray(write(c.egress())), c.status(), c.createdBy(),
                        c.createdAt(), c.updatedAt() }))
                .replaceWithVoid();
    }

    public Uni<List<Connection>> list(String scope) {
        String sql = "SELECT " + COLUMNS + " FROM connection" + (scope == null ? "" : " WHERE scope = $1")
                + " ORDER BY scope, source, name";
        return pool.preparedQuery(sql).execute(scope == null ? Tuple.tuple() : Tuple.of(scope)).map(this::all);
    }

    public Uni<Connection> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM connection WHERE id = $1").execute(Tuple.of(id))
                .map(this::first);
    }

    public Uni<Connection> find(String scope, String source, String name) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM connection WHERE scope = $1 AND source = $2 AND name = $3")
                .execute(Tuple.of(scope, source, name)).map(this::first);
    }

    public Uni<Boolean> delete(SqlClient tx, UUID id) {
        return tx.preparedQuery("DELETE FROM connection WHERE id = $1").execute(Tuple.of(id)).map(r -> r.rowCount() > 0);
    }

    public Uni<String> status(SqlClient tx, UUID id) {
        return tx.preparedQuery("SELECT status FROM connection WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
    }

    public Uni<Void> setStatus(SqlClient tx, UUID id, String status) {
        return tx.preparedQuery("UPDATE connection SET status = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, status)).replaceWithVoid();
    }

    private List<Connection> all(RowSet<Row> rows) {
        List<Connection> out = new ArrayList<>();
        rows.forEach(r -> out.add(map(r)));
        return out;
    }

    private Connection first(RowSet<Row> rows) {
        return rows.iterator().hasNext() ? map(rows.iterator().next()) : null;
    }

    private Connection map(Row r) {
        try {
            AuthTemplate auth = mapper.readValue(r.getJsonObject("auth").encode(), AuthTemplate.class);
            Map<String, String> refs = mapper.readValue(r.getJsonObject("secret_refs").encode(),
                    new TypeReference<LinkedHashMap<String, String>>() {
                    });
            List<EgressRule> egress = mapper.readValue(r.getJsonArray("egress").encode(), new TypeReference<List<EgressRule>>() {
            });
            return new Connection(r.getUUID("id"), r.getString("scope"), r.getString("source"), r.getString("source_id"),
                    r.getString("name"), auth, refs, List.of(r.getArrayOfStrings("hosts")), egress, r.getString("status"),
                    r.getString("created_by"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("connection row " + r.getUUID("id") + " is not readable", e);
        }
    }

    private String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
