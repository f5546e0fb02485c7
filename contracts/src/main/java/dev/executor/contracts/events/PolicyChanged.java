package dev.executor.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A policy was created, updated or deleted.
 *
 * @param policyId      opaque id of the policy
 * @param scope         scope the policy is placed in
 * @param change        what happened
 * @param policyVersion the global policy version after the change
 * @param attachedTo    kind of record the policy is attached to
 * @param recordId      id of that source or connection
 * @param changedBy     the admin
 * @param occurredAt    when it changed
 */
public record PolicyChanged(
        String policyId,
        ScopeRef scope,
        Change change,
        long policyVersion,
        AttachedTo attachedTo,
        String recordId,
        PrincipalRef changedBy,
        Instant occurredAt) implements PolicyEvent {

    /** Kind of record a policy is attached to. */
    public enum AttachedTo {
        @JsonProperty("source") SOURCE,
        @JsonProperty("connection") CONNECTION
    }

    /** Keyed by policy id. */
    @Override
    public String key() {
        return policyId;
    }
}
