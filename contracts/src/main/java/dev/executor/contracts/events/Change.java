package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happened to a configuration record. */
public enum Change {
    @JsonProperty("created") CREATED,
    @JsonProperty("updated") UPDATED,
    @JsonProperty("deleted") DELETED
}
