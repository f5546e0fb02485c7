package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Lifecycle of a source. Mirrors {@code executor.catalog.v1.SourceStatus}. */
public enum SourceStatus {
    @JsonProperty("draft") DRAFT,
    @JsonProperty("probing") PROBING,
    @JsonProperty("auth_required") AUTH_REQUIRED,
    @JsonProperty("connected") CONNECTED,
    @JsonProperty("error") ERROR
}
