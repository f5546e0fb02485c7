package dev.executor.invoker.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.catalog.v1.ResolveToolResponse;
import dev.executor.common.v1.Principal;
import dev.executor.invoker.client.ServiceTokenInterceptor;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.MutinyPolicyServiceGrpc.MutinyPolicyServiceStub;
import dev.executor.policy.v1.ToolFacts;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/** {@code PolicyService.Decide} for one resolved call; never cached, so a policy change applies to the next call. */
@ApplicationScoped
public class PolicyGate {

    private final MutinyPolicyServiceStub policy;

    public PolicyGate(@GrpcClient("policy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyPolicyServiceStub policy) {
        this.policy = policy;
    }

    private record ScopeKey(String org, java.util.List<String> workspaces, String username) {
    }

    private final java.util.concurrent.ConcurrentHashMap<ScopeKey, java.util.List<dev.executor.common.v1.Scope>> chains =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code principal} with its scope chain: as given, or (when the caller passed none, e.g. a
     * principal built from a Kafka request's token) derived by {@code PolicyService.ResolveScopes}
     * from its org, workspaces and username, cached. Every downstream (catalog, policy,
     * secrets-proxy, run-ledger) then sees the same chain.
     */
    public Uni<Principal> withScopes(Principal principal) {
        if (principal.getScopeChainCount() > 0) {
            return Uni.createFrom().item(principal);
        }
        ScopeKey key = new ScopeKey(principal.getOrg(), java.util.List.copyOf(principal.getWorkspacesList()), principal.getUsername());
        var cached = chains.get(key);
        if (cached != null) {
            return Uni.createFrom().item(principal.toBuilder().addAllScopeChain(cached).build());
        }
        return policy.resolveScopes(dev.executor.policy.v1.ResolveScopesRequest.newBuilder().setPrincipal(principal).build())
                .ifNoItem().after(Duration.ofSeconds(10)).fail()
                .onFailure().transform(e -> Downstream.map("policy-service", e))
                .map(r -> {
                    if (chains.size() > 10_000) {
                        chains.clear();
                    }
                    chains.put(key, r.getScopeChainList());
                    return principal.toBuilder().addAllScopeChain(r.getScopeChainList()).build();
                });
    }

    public Uni<DecideResponse> decide(Principal principal, String toolkit, String address, ResolveToolResponse tool) {
        DecideRequest request = DecideRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit == null ? "" : toolkit)
                .setAddress(address)
                .setTool(ToolFacts.newBuilder().setSideEffect(tool.getTool().getSideEffect()).setSourceId(tool.getSource().getId())
                        .setConnection(tool.getConnection()).putAllLabels(tool.getTool().getLabelsMap())
                        .setReviewState(tool.getTool().getReviewState()))
                .build();
        return policy.decide(request).ifNoItem().after(Duration.ofSeconds(10)).fail()
                .onFailure().transform(e -> Downstream.map("policy-service", e));
    }
}
