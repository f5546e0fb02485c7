package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Changes to policies and toolkits, on {@code executor.policy.events}. Emitted by policy-service;
 * caches of decisions and visibility drop entries older than {@link #policyVersion()}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PolicyChanged.class, name = "PolicyChanged"),
    @JsonSubTypes.Type(value = ToolkitChanged.class, name = "ToolkitChanged")
})
public sealed interface PolicyEvent extends ExecutorEvent permits PolicyChanged, ToolkitChanged {

    /** The global policy version after the change (monotonic). */
    long policyVersion();

    Instant occurredAt();
}
