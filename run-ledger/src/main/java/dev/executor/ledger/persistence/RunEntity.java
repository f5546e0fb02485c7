package dev.executor.ledger.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The record of one execution on any surface, as folded from its run events. */
@Entity
@Table(name = "run")
public class RunEntity {

    /** Statuses are the {@code executor.common.v1.RunStatus} values, lowercased. */
    public static final String PENDING_APPROVAL = "pending_approval";

    @Id
    public UUID id;

    @Column(name = "parent_run_id")
    public UUID parentRunId;

    @Column(nullable = false)
    public String address;

    @Column(name = "manifest_version")
    public String manifestVersion;

    @Column(name = "principal_subject", nullable = false)
    public String principalSubject;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "principal_chain", nullable = false)
    public String principalChain;

    public String toolkit;

    @Column(name = "policy_version")
    public Long policyVersion;

    public String verdict;

    @Column(name = "input_hash")
    public String inputHash;

    @Column(nullable = false)
    public String status;

    @JdbcTypeCode(SqlTypes.JSON)
    public String output;

    @Column(name = "output_handle")
    public String outputHandle;

    @JdbcTypeCode(SqlTypes.JSON)
    public String error;

    @Column(name = "trace_id")
    public String traceId;

    public String surface;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "last_sequence", nullable = false)
    public long lastSequence;
}
