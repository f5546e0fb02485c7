package dev.executor.catalog.persistence;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A registered source: its placement, kind and lifecycle state. */
@Entity
@Table(name = "source")
public class SourceEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String scope;

    @Column(nullable = false)
    public String status;

    @Column(name = "status_message")
    public String statusMessage;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
