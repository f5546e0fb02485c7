package dev.executor.invoker.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Remembers which Run an idempotency key created, so a retried request gets the same Run. */
@Entity
@Table(name = "idempotency_key")
public class IdempotencyKeyEntity {

    @Id
    public String key;

    @Column(name = "run_id", nullable = false)
    public UUID runId;

    @Column(nullable = false)
    public String principal;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
