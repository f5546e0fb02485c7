package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The surface a call arrived on. Mirrors {@code executor.common.v1.Surface}. */
public enum Surface {
    @JsonProperty("mcp") MCP,
    @JsonProperty("kafka") KAFKA,
    @JsonProperty("rest") REST,
    @JsonProperty("code") CODE
}
