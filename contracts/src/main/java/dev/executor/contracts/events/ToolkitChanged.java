package dev.executor.contracts.events;

import java.time.Instant;

/**
 * A toolkit was created, updated or deleted. Toolkits only decide visibility, but visibility is
 * part of every decision, so the policy version moves too.
 *
 * @param toolkitId     opaque id of the toolkit
 * @param name          toolkit name, as in {@code /mcp/toolkits/{name}}
 * @param scope         scope the toolkit is placed in
 * @param change        what happened
 * @param policyVersion the global policy version after the change
 * @param changedBy     the admin
 * @param occurredAt    when it changed
 */
public record ToolkitChanged(
        String toolkitId,
        String name,
        ScopeRef scope,
        Change change,
        long policyVersion,
        PrincipalRef changedBy,
        Instant occurredAt) implements PolicyEvent {

    /** Keyed by toolkit id. */
    @Override
    public String key() {
        return toolkitId;
    }
}
