package dev.executor.catalog.persistence;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * Sources, manifests and tools over the reactive PostgreSQL pool (tables in schema {@code catalog},
 * named explicitly: the pool's search path depends on the database user). Plain SQL rather than entities:
 * an import writes up to thousands of tools with JSONB schemas in one batched statement inside one
 * transaction, which an ORM session would turn into thousands of round trips.
 */
@ApplicationScoped
public class CatalogStore {

    /** A source row. JSON columns as text. */
    public record SourceRow(UUID id, String name, String kind, String scope, String status, String statusMessage,
            String configJson, String baseUrl, String declaredHostsJson, String manifestVersion, String warningsJson,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** A tool row. JSON columns as text; {@code outputSchemaJson} may be null. */
    public record ToolRow(UUID sourceId, String name, String description, String inputSchemaJson, String outputSchemaJson,
            String outputName, String sideEffect, String authJson, String labelsJson, String bindingJson, String signature,
            String contentHash, String reviewState, String manifestVersion) {

        public ToolRow withState(String state) {
            return new ToolRow(sourceId, name, description, inputSchemaJson, outputSchemaJson, outputName, sideEffect, authJson,
                    labelsJson, bindingJson, signature, contentHash, state, manifestVersion);
        }

        public ToolRow withVersion(String version) {
            return new ToolRow(sourceId, name, description, inputSchemaJson, outputSchemaJson, outputName, sideEffect, authJson,
                    labelsJson, bindingJson, signature, contentHash, reviewState, version);
        }
    }

    /** Counts per source, for views. */
    public record ToolCounts(int active, int unreviewed) {
    }

    // JSON goes in as text and is cast by PostgreSQL ($1::text::jsonb): a Java String bound straight
    // to a jsonb parameter would be stored as one JSON string.
    private static final String SOURCE_COLUMNS = "id, name, kind, scope, status, status_message, config::text, base_url, "
            + "declared_hosts::text, manifest_version, warnings::text, created_at, updated_at";
    private static final String TOOL_COLUMNS = "source_id, name, description, input_schema::text, output_schema::text, output_name, "
            + "side_effect, auth::text, labels::text, binding::text, signature, content_hash, review_state, manifest_version";

    private final PgPool pool;

    public CatalogStore(PgPool pool) {
        this.pool = pool;
    }

    public PgPool pool() {
        return pool;
    }

    /** Inserts a new source in {@code probing}; fails with {@link #isUniqueViolation} when the name is taken. */
    public Uni<SourceRow> insertSource(UUID id, String name, String kind, String scope, String configJson) {
        return pool.preparedQuery("INSERT INTO catalog.source (id, name, kind, scope, status, config) VALUES ($1, $2, $3, $4, 'probing', $5::text::jsonb) RETURNING "
                + SOURCE_COLUMNS).execute(Tuple.of(id, name, kind, scope, configJson)).map(rs -> source(rs.iterator().next()));
    }

    public Uni<SourceRow> findSource(UUID id) {
        return pool.preparedQuery("SELECT " + SOURCE_COLUMNS + " FROM catalog.source WHERE id = $1").execute(Tuple.of(id))
                .map(rs -> rs.rowCount() == 0 ? null : source(rs.iterator().next()));
    }

    public Uni<List<SourceRow>> findSourcesByName(String name) {
        return pool.preparedQuery("SELECT " + SOURCE_COLUMNS + " FROM catalog.source WHERE name = $1").execute(Tuple.of(name))
                .map(rs -> {
                    List<SourceRow> out = new ArrayList<>();
                    rs.forEach(r -> out.add(source(r)));
                    return out;
                });
    }

    public Uni<List<SourceRow>> listSources() {
        return pool.query("SELECT " + SOURCE_COLUMNS + " FROM catalog.source ORDER BY name, scope").execute().map(rs -> {
            List<SourceRow> out = new ArrayList<>();
            rs.forEach(r -> out.add(source(r)));
            return out;
        });
    }

    public Uni<Map<UUID, ToolCounts>> toolCounts() {
        return pool.query("SELECT source_id, count(*) FILTER (WHERE review_state <> 'retired'), "
                + "count(*) FILTER (WHERE review_state = 'unreviewed') FROM catalog.tool GROUP BY source_id").execute().map(rs -> {
                    Map<UUID, ToolCounts> out = new java.util.HashMap<>();
                    rs.forEach(r -> out.put(r.getUUID(0), new ToolCounts(r.getLong(1).intValue(), r.getLong(2).intValue())));
                    return out;
                });
    }

    public Uni<Void> updateStatus(SqlClient client, UUID id, String status, String message) {
        return client.preparedQuery("UPDATE catalog.source SET status = $2, status_message = $3, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, status, message)).replaceWithVoid();
    }

    public Uni<Void> updateStatus(UUID id, String status, String message) {
        return updateStatus(pool, id, status, message);
    }

    public Uni<Void> updateImported(SqlClient client, UUID id, String baseUrl, String hostsJson, String version, String warningsJson,
            String configJson) {
        return client.preparedQuery("UPDATE catalog.source SET status = 'connected', status_message = NULL, base_url = $2, declared_hosts = $3::text::jsonb, "
                + "manifest_version = $4, warnings = $5::text::jsonb, config = $6::text::jsonb, updated_at = now() WHERE id = $1")
                .execute(Tuple.tuple(List.of(id, baseUrl, hostsJson, version, warningsJson, configJson))).replaceWithVoid();
    }

    public Uni<Void> insertManifest(SqlClient client, UUID sourceId, String version, String previous, int tools, int added, int changed,
            int retired) {
        return client.preparedQuery("INSERT INTO catalog.manifest (source_id, version, previous_version, tool_count, added, changed, retired) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                .execute(Tuple.tuple(List.of(sourceId, version, previous == null ? "" : previous, tools, added, changed, retired)))
                .replaceWithVoid();
    }

    /** Inserts or replaces tools in one batch. */
    public Uni<Void> upsertTools(SqlClient client, List<ToolRow> tools) {
        if (tools.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>(tools.size());
        for (ToolRow t : tools) {
            batch.add(Tuple.tuple(java.util.Arrays.asList(t.sourceId(), t.name(), t.description(), t.inputSchemaJson(),
                    t.outputSchemaJson(), t.outputName(), t.sideEffect(), t.authJson(), t.labelsJson(), t.bindingJson(),
                    t.signature(), t.contentHash(), t.reviewState(), t.manifestVersion())));
        }
        return client.preparedQuery("INSERT INTO catalog.tool (source_id, name, description, input_schema, output_schema, output_name, side_effect, "
                + "auth, labels, binding, signature, content_hash, review_state, manifest_version) VALUES "
                + "($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6, $7, $8::text::jsonb, $9::text::jsonb, $10::text::jsonb, $11, $12, $13, $14) "
                + "ON CONFLICT (source_id, name) DO UPDATE SET description = EXCLUDED.description, input_schema = EXCLUDED.input_schema, "
                + "output_schema = EXCLUDED.output_schema, output_name = EXCLUDED.output_name, side_effect = EXCLUDED.side_effect, "
                + "auth = EXCLUDED.auth, labels = EXCLUDED.labels, binding = EXCLUDED.binding, signature = EXCLUDED.signature, "
                + "content_hash = EXCLUDED.content_hash, review_state = EXCLUDED.review_state, "
                + "manifest_version = EXCLUDED.manifest_version, updated_at = now()")
                .executeBatch(batch).replaceWithVoid();
    }

    public Uni<Void> retireTools(SqlClient client, UUID sourceId, List<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery("UPDATE catalog.tool SET review_state = 'retired', updated_at = now() WHERE source_id = $1 AND name = ANY($2)")
                .execute(Tuple.of(sourceId, names.toArray(String[]::new))).replaceWithVoid();
    }

    /** Accepts the named unreviewed tools; answers the names actually changed. */
    public Uni<List<String>> acceptTools(UUID sourceId, List<String> names) {
        return pool.preparedQuery("UPDATE catalog.tool SET review_state = 'accepted', updated_at = now() "
                + "WHERE source_id = $1 AND name = ANY($2) AND review_state = 'unreviewed' RETURNING name")
                .execute(Tuple.of(sourceId, names.toArray(String[]::new))).map(rs -> {
                    List<String> out = new ArrayList<>();
                    rs.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Uni<List<ToolRow>> tools(UUID sourceId) {
        return pool.preparedQuery("SELECT " + TOOL_COLUMNS + " FROM catalog.tool WHERE source_id = $1 ORDER BY name").execute(Tuple.of(sourceId))
                .map(rs -> {
                    List<ToolRow> out = new ArrayList<>();
                    rs.forEach(r -> out.add(tool(r)));
                    return out;
                });
    }

    /** Every non-retired tool, for (re)building the search index. */
    public Uni<List<ToolRow>> activeToolsLight() {
        return pool.query("SELECT source_id, name, description, '{}', NULL, output_name, side_effect, '{}', labels::text, '{}', signature, "
                + "content_hash, review_state, manifest_version, input_schema -> 'properties' AS props FROM catalog.tool WHERE review_state <> 'retired'")
                .execute().map(rs -> {
                    List<ToolRow> out = new ArrayList<>();
                    rs.forEach(r -> out.add(new ToolRow(r.getUUID(0), r.getString(1), r.getString(2),
                            "{\"properties\":" + (r.getValue(14) == null ? "{}" : r.getValue(14).toString()) + "}", null,
                            r.getString(5), r.getString(6), "{}", r.getValue(8).toString(), "{}", r.getString(10), r.getString(11),
                            r.getString(12), r.getString(13))));
                    return out;
                });
    }

    public Uni<ToolRow> tool(UUID sourceId, String name) {
        return pool.preparedQuery("SELECT " + TOOL_COLUMNS + " FROM catalog.tool WHERE source_id = $1 AND name = $2").execute(Tuple.of(sourceId, name))
                .map(rs -> rs.rowCount() == 0 ? null : tool(rs.iterator().next()));
    }

    public Uni<Boolean> deleteSource(UUID id) {
        return pool.preparedQuery("DELETE FROM catalog.source WHERE id = $1").execute(Tuple.of(id)).map(rs -> rs.rowCount() > 0);
    }

    /** Records a consumed event id; false when it was already recorded (a redelivery). */
    public Uni<Boolean> markProcessed(SqlClient client, String eventId) {
        return client.preparedQuery("INSERT INTO catalog.processed_event (event_id) VALUES ($1) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(eventId)).map(rs -> rs.rowCount() > 0);
    }

    public Uni<Void> upsertConnection(SqlClient client, String id, String source, String sourceId, String scopeKind, String scopeId, String name) {
        return client.preparedQuery("INSERT INTO catalog.connection (id, source, source_id, scope_kind, scope_id, name) VALUES ($1, $2, $3, $4, $5, $6) "
                + "ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, source_id = EXCLUDED.source_id, "
                + "scope_kind = EXCLUDED.scope_kind, scope_id = EXCLUDED.scope_id, name = EXCLUDED.name")
                .execute(Tuple.tuple(java.util.Arrays.asList(id, source, sourceId, scopeKind, scopeId, name))).replaceWithVoid();
    }

    public Uni<Void> deleteConnection(SqlClient client, String id) {
        return client.preparedQuery("DELETE FROM catalog.connection WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** A connection of a source by (scope id, name), or null. */
    public Uni<String[]> connection(String source, String scopeId, String name) {
        return pool.preparedQuery("SELECT id, scope_kind FROM catalog.connection WHERE source = $1 AND scope_id = $2 AND name = $3")
                .execute(Tuple.of(source, scopeId, name))
                .map(rs -> rs.rowCount() == 0 ? null : new String[] { rs.iterator().next().getString(0), rs.iterator().next().getString(1) });
    }

    /** Every known connection as (source, scope kind, scope id, name). */
    public Uni<List<String[]>> connections() {
        return pool.query("SELECT source, scope_kind, scope_id, name FROM catalog.connection ORDER BY source, scope_id, name").execute().map(rs -> {
            List<String[]> out = new ArrayList<>();
            rs.forEach(r -> out.add(new String[] { r.getString(0), r.getString(1), r.getString(2), r.getString(3) }));
            return out;
        });
    }

    public static boolean isUniqueViolation(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    private static SourceRow source(Row r) {
        return new SourceRow(r.getUUID(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getOffsetDateTime(11),
                r.getOffsetDateTime(12));
    }

    private static ToolRow tool(Row r) {
        return new ToolRow(r.getUUID(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getString(11), r.getString(12), r.getString(13));
    }
}
