package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Policy verdict, most restrictive last. Mirrors {@code executor.common.v1.Verdict}. */
public enum Verdict {
    @JsonProperty("allow") ALLOW,
    @JsonProperty("require_approval") REQUIRE_APPROVAL,
    @JsonProperty("block") BLOCK
}
