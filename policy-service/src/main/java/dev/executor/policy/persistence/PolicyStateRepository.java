package dev.executor.policy.persistence;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.policy.ApprovalMode;
import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Policy;
import dev.executor.policy.Scope;
import dev.executor.policy.Toolkit;
import dev.executor.policy.Verdict;
import dev.executor.policy.service.PolicyState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Reads everything a decision depends on in one read-only transaction, so the snapshot built from
 * it is consistent (a policy row and the version it bumped are seen together). Uses the reactive
 * pool directly: it runs from timers and Kafka listeners as well as from requests.
 */
@ApplicationScoped
public class PolicyStateRepository {

    private final Pool pool;
    private final ObjectMapper json;

    public PolicyStateRepository(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** The whole state; fails when the database or the schema is not there (yet). */
    public Uni<PolicyState> load() {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute()
                .chain(() -> version(conn))
                .chain(version -> policies(conn)
                        .chain(policies -> toolkits(conn)
                                .chain(toolkits -> placements(conn)
                                        .map(p -> new PolicyState(version, policies, toolkits, p.sources, p.connections))))));
    }

    private static Uni<Long> version(SqlConnection conn) {
        return conn.query("SELECT version FROM policy.policy_version WHERE id = 1").execute()
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong(0) : 0L);
    }

    private static Uni<List<Policy>> policies(SqlConnection conn) {
        return conn.query("SELECT id, scope, attached_kind, attached_id, tool_glob, verdict, approval_mode, version FROM policy.policy")
                .execute()
                .map(rows -> {
                    List<Policy> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new Policy(r.getUUID("id"), Scope.parse(r.getString("scope")),
                                Policy.AttachedKind.fromWire(r.getString("attached_kind")), r.getString("attached_id"),
                                r.getString("tool_glob"), Verdict.fromWire(r.getString("verdict")),
                                ApprovalMode.fromWire(r.getString("approval_mode")), r.getLong("version")));
                    }
                    return list;
                });
    }

    private Uni<List<Toolkit>> toolkits(SqlConnection conn) {
        return conn.query("SELECT id, scope, name, predicate::text AS predicate, version FROM policy.toolkit").execute()
                .map(rows -> {
                    List<Toolkit> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new Toolkit(r.getUUID("id"), Scope.parse(r.getString("scope")), r.getString("name"),
                                addresses(r.getString("predicate")), r.getLong("version")));
                    }
                    return list;
                });
    }

    /** The address globs of a stored predicate {@code {"addresses": [...]}}. */
    public List<String> addresses(String predicate) {
        try {
            var node = json.readTree(predicate).path("addresses");
            List<String> globs = new ArrayList<>();
            node.forEach(n -> globs.add(n.asText()));
            return globs;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored toolkit predicate is not JSON", e);
        }
    }

    private record Placements(List<SourcePlacement> sources, List<ConnectionPlacement> connections) {
    }

    private static Uni<Placements> placements(SqlConnection conn) {
        return conn.query("SELECT record_kind, record_id, scope, source_id, source_name, name, source_kind FROM policy.placement")
                .execute()
                .map(rows -> {
                    List<SourcePlacement> sources = new ArrayList<>();
                    List<ConnectionPlacement> connections = new ArrayList<>();
                    for (Row r : rows) {
                        Scope scope = Scope.parse(r.getString("scope"));
                        if ("source".equals(r.getString("record_kind"))) {
                            sources.add(new SourcePlacement(r.getString("record_id"), r.getString("source_name"),
                                    r.getString("source_kind"), scope));
                        } else {
                            connections.add(new ConnectionPlacement(r.getString("record_id"), r.getString("source_id"),
                                    r.getString("source_name"), r.getString("name"), scope));
                        }
                    }
                    return new Placements(sources, connections);
                });
    }
}
