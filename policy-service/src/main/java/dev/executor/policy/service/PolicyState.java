package dev.executor.policy.service;

import java.util.List;

import dev.executor.policy.Placement.ConnectionPlacement;
import dev.executor.policy.Placement.SourcePlacement;
import dev.executor.policy.Policy;
import dev.executor.policy.Toolkit;

/**
 * Everything a decision depends on, as plain data: the input of {@link PolicyEngine}.
 *
 * @param version     the policy version this state is at
 * @param policies    every policy, in any scope
 * @param toolkits    every toolkit, in any scope
 * @param sources     where each known source is placed
 * @param connections where each known connection is placed
 */
public record PolicyState(long version, List<Policy> policies, List<Toolkit> toolkits, List<SourcePlacement> sources,
        List<ConnectionPlacement> connections) {

    public PolicyState {
        policies = List.copyOf(policies);
        toolkits = List.copyOf(toolkits);
        sources = List.copyOf(sources);
        connections = List.copyOf(connections);
    }

    public static PolicyState empty() {
        return new PolicyState(0, List.of(), List.of(), List.of(), List.of());
    }
}
