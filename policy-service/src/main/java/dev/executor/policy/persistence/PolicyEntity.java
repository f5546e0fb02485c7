package dev.executor.policy.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A verdict attached to a source or connection record in one scope, optionally narrowed to a tool glob. */
@Entity
@Table(name = "policy")
public class PolicyEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String scope;

    /** {@code source} or {@code connection}. */
    @Column(name = "attached_kind", nullable = false)
    public String attachedKind;

    @Column(name = "attached_id", nullable = false)
    public String attachedId;

    @Column(name = "tool_glob")
    public String toolGlob;

    /** {@code allow}, {@code require_approval} or {@code block}. */
    @Column(nullable = false)
    public String verdict;

    @Column(name = "approval_mode")
    public String approvalMode;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(nullable = false)
    public long version;
}
