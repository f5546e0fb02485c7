package dev.executor.ledger.persistence;

import java.util.Arrays;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.ledger.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Table {@code audit_log}: security-relevant actions and refusals, with who (never a token). */
@ApplicationScoped
public class AuditRepository {

    public Uni<Void> record(SqlClient client, String action, String outcome, Caller caller, String runId, String detail) {
        return client.preparedQuery("INSERT INTO audit_log (action, outcome, subject, username, client_id, run_id, detail) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.from(Arrays.asList(action, outcome, caller == null ? null : caller.subject(),
                        caller == null ? null : caller.username(), caller == null ? null : caller.clientId(), runId, detail)))
                .replaceWithVoid();
    }
}
