package dev.executor.ledger.rest;

import java.time.OffsetDateTime;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.executor.ledger.persistence.RunEntity;

/** One Run as the REST API shows it; the JSON columns are passed through as JSON. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID id, UUID parentRunId, String address, String manifestVersion, String principalSubject,
        @JsonRawValue String principalChain, String toolkit, Long policyVersion, String verdict, String inputHash,
        String status, @JsonRawValue String output, String outputHandle, @JsonRawValue String error, String traceId,
        String surface, String idempotencyKey, OffsetDateTime createdAt, OffsetDateTime updatedAt, long lastSequence) {

    static RunView of(RunEntity e) {
        return new RunView(e.id, e.parentRunId, e.address, e.manifestVersion, e.principalSubject, e.principalChain,
                e.toolkit, e.policyVersion, e.verdict, e.inputHash, e.status, e.output, e.outputHandle, e.error,
                e.traceId, e.surface, e.idempotencyKey, e.createdAt, e.updatedAt, e.lastSequence);
    }
}
