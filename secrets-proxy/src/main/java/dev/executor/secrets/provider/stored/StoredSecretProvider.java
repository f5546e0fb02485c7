package dev.executor.secrets.provider.stored;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.persistence.StoredSecretRepository;
import dev.executor.secrets.persistence.StoredSecretRepository.StoredSecret;
import dev.executor.secrets.provider.SecretProvider;
import dev.executor.secrets.provider.SecretUnavailableException;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * {@code stored://<uuid>}: a value written once through the connections API (write-only), kept in
 * PostgreSQL sealed with AES-256-GCM ({@link StoredSecretCipher}). Each stored secret belongs to
 * the connection it was written for; a ref from another connection is refused, so a stored value
 * cannot be re-bound to a different source. Callers never supply {@code stored://} refs: they are
 * minted from {@code secretValues}.
 */
@ApplicationScoped
@Identifier("stored")
public class StoredSecretProvider implements SecretProvider {

    private record Cached(StoredSecret row, long expiresAt) {
    }

    private final StoredSecretRepository repository;
    private final StoredSecretCipher cipher;
    private final Pool pool;
    private final long ttlNanos;
    /** Sealed rows only (never plaintext), kept as long as a looked-up connection is, to spare Forward a query. */
    private final java.util.Map<UUID, Cached> sealedCache = new java.util.concurrent.ConcurrentHashMap<>();

    public StoredSecretProvider(StoredSecretRepository repository, StoredSecretCipher cipher, Pool pool,
            dev.executor.secrets.config.SecretsProxyConfig config) {
        this.repository = repository;
        this.cipher = cipher;
        this.pool = pool;
        this.ttlNanos = config.connections().cacheTtl().toNanos();
    }

    @Override
    public String kind() {
        return "stored";
    }

    @Override
    public void validate(SecretRef ref) {
        try {
            UUID.fromString(ref.location());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stored:// refs are minted by this service from secretValues");
        }
    }

    @Override
    public Uni<SecretValue> resolve(SecretRef ref, UUID connectionId) {
        UUID id = UUID.fromString(ref.location());
        Cached hit = sealedCache.get(id);
        Uni<StoredSecret> sealedRow = hit != null && hit.expiresAt() - System.nanoTime() > 0
                ? Uni.createFrom().item(hit.row())
                : repository.find(id).invoke(r -> {
                    if (r != null && ttlNanos > 0) {
                        sealedCache.put(id, new Cached(r, System.nanoTime() + ttlNanos));
                    }
                });
        return sealedRow.map(row -> {
            if (row == null || !row.connectionId().equals(connectionId)) {
                throw new SecretUnavailableException("stored secret " + id + " does not exist for this connection");
            }
            return SecretValue.of(cipher.open(row.sealed(), aad(id)));
        });
    }

    /** Seals {@code value} for {@code connectionId} within {@code tx}; the returned ref is what the connection keeps. */
    public Uni<SecretRef> store(SqlClient tx, UUID connectionId, SecretValue value) {
        UUID id = UUID.randomUUID();
        StoredSecretCipher.Sealed sealed = cipher.seal(value.reveal().getBytes(StandardCharsets.UTF_8), aad(id));
        return repository.insert(tx, new StoredSecret(id, connectionId, sealed))
                .replaceWith(new SecretRef("stored", id.toString()));
    }

    /** Re-seals every stored secret not under the active key; returns how many. */
    public Uni<Integer> rotate() {
        if (!cipher.enabled()) {
            return Uni.createFrom().item(0);
        }
        sealedCache.clear();
        return pool.withTransaction(tx -> repository.lockStale(tx, cipher.activeKeyId())
                .onItem().transformToMulti(list -> io.smallrye.mutiny.Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(row -> {
                    byte[] plain = cipher.open(row.sealed(), aad(row.id()));
                    return repository.reseal(tx, row.id(), cipher.seal(plain, aad(row.id()))).replaceWith(row.id());
                })
                .collect().asList()
                .map(java.util.List::size));
    }

    public boolean enabled() {
        return cipher.enabled();
    }

    private static String aad(UUID id) {
        return "stored_secret:" + id;
    }
}
