package dev.executor.secrets.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.secrets.provider.stored.StoredSecretCipher.Sealed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Encrypted secret values written through the API ({@code stored://<id>}), one row per value. */
@ApplicationScoped
public class StoredSecretRepository {

    /** One row: the owning connection and the sealed value. */
    public record StoredSecret(UUID id, UUID connectionId, Sealed sealed) {
    }

    private final Pool pool;

    public StoredSecretRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(SqlClient tx, StoredSecret secret) {
        return tx.preparedQuery("INSERT INTO stored_secret (id, connection_id, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(secret.id(), secret.connectionId(), secret.sealed().keyId(),
                        Buffer.buffer(secret.sealed().nonce()), Buffer.buffer(secret.sealed().ciphertext())))
                .replaceWithVoid();
    }

    public Uni<StoredSecret> find(UUID id) {
        return pool.preparedQuery("SELECT id, connection_id, key_id, nonce, ciphertext FROM stored_secret WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? map(rows.iterator().next()) : null);
    }

    /** Rows not sealed under {@code activeKeyId}, locked for update within {@code tx}. */
    public Uni<List<StoredSecret>> lockStale(SqlClient tx, String activeKeyId) {
        return tx.preparedQuery("SELECT id, connection_id, key_id, nonce, ciphertext FROM stored_secret WHERE key_id <> $1 FOR UPDATE")
                .execute(Tuple.of(activeKeyId))
                .map(rows -> {
                    List<StoredSecret> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    public Uni<Void> reseal(SqlClient tx, UUID id, Sealed sealed) {
        return tx.preparedQuery("UPDATE stored_secret SET key_id = $2, nonce = $3, ciphertext = $4, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, sealed.keyId(), Buffer.buffer(sealed.nonce()), Buffer.buffer(sealed.ciphertext())))
                .replaceWithVoid();
    }

    private static StoredSecret map(Row r) {
        return new StoredSecret(r.getUUID("id"), r.getUUID("connection_id"),
                new Sealed(r.getString("key_id"), r.getBuffer("nonce").getBytes(), r.getBuffer("ciphertext").getBytes()));
    }
}
