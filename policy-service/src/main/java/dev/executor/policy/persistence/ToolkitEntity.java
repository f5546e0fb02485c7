package dev.executor.policy.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A named set of tools (a predicate over addresses) placed in a scope; decides visibility only. */
@Entity
@Table(name = "toolkit")
public class ToolkitEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String scope;

    @Column(nullable = false)
    public String name;

    /** The predicate as JSON: {@code {"addresses": ["github.*.*.issues_*", ...]}}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String predicate;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /** The policy version this toolkit's last change produced. */
    @Column(nullable = false)
    public long version;
}
