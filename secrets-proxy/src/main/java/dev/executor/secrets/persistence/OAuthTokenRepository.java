package dev.executor.secrets.persistence;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.secrets.provider.stored.StoredSecretCipher.Sealed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The current OAuth2 token per connection, sealed, shared by all replicas. Refreshes serialize on a
 * transaction-scoped advisory lock per connection ({@link #lock}).
 */
@ApplicationScoped
public class OAuthTokenRepository {

    /** A stored token row. */
    public record StoredToken(UUID connectionId, Sealed sealed, OffsetDateTime expiresAt, long generation) {
    }

    /** Blocks until this transaction holds the refresh lock of {@code connectionId} (released at commit/rollback). */
    public Uni<Void> lock(SqlClient tx, UUID connectionId) {
        return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 5))")
                .execute(Tuple.of("oauth-refresh:" + connectionId)).replaceWithVoid();
    }

    public Uni<StoredToken> find(SqlClient tx, UUID connectionId) {
        return tx.preparedQuery("SELECT connection_id, key_id, nonce, ciphertext, expires_at, generation FROM oauth_token WHERE connection_id = $1")
                .execute(Tuple.of(connectionId))
                .map(rows -> rows.iterator().hasNext() ? map(rows.iterator().next()) : null);
    }

    public Uni<Void> upsert(SqlClient tx, StoredToken token) {
        return tx.preparedQuery("INSERT INTO oauth_token (connection_id, key_id, nonce, ciphertext, expires_at, generation, updated_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (connection_id) DO UPDATE SET key_id = excluded.key_id,"
                + " nonce = excluded.nonce, ciphertext = excluded.ciphertext, expires_at = excluded.expires_at,"
                + " generation = excluded.generation, updated_at = now()")
                .execute(Tuple.from(new Object[] { token.connectionId(), token.sealed().keyId(), Buffer.buffer(token.sealed().nonce()),
                        Buffer.buffer(token.sealed().ciphertext()), token.expiresAt(), token.generation() }))
                .replaceWithVoid();
    }

    public Uni<List<StoredToken>> lockStale(SqlClient tx, String activeKeyId) {
        return tx.preparedQuery("SELECT connection_id, key_id, nonce, ciphertext, expires_at, generation FROM oauth_token WHERE key_id <> $1 FOR UPDATE")
                .execute(Tuple.of(activeKeyId))
                .map(rows -> {
                    List<StoredToken> out = new ArrayList<>();
                    rows.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    private static StoredToken map(Row r) {
        return new StoredToken(r.getUUID("connection_id"),
                new Sealed(r.getString("key_id"), r.getBuffer("nonce").getBytes(), r.getBuffer("ciphertext").getBytes()),
                r.getOffsetDateTime("expires_at"), r.getLong("generation"));
    }
}
