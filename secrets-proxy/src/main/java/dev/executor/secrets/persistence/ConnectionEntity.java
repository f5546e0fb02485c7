package dev.executor.secrets.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One credential for one source, placed in one scope and bound to the source's hosts. */
@Entity
@Table(name = "connection")
public class ConnectionEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String scope;

    @Column(nullable = false)
    public String source;

    @Column(nullable = false)
    public String name;

    @Column(name = "auth_kind", nullable = false)
    public String authKind;

    /** SecretRefs per credential slot as JSON: where a secret lives, never its value. Not exposed over the API. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "secret_refs", nullable = false)
    public String secretRefs;

    @Column(nullable = false)
    public String[] hosts;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
