package dev.executor.gateway.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.MutinyPolicyServiceGrpc.MutinyPolicyServiceStub;
import dev.executor.policy.v1.ResolveScopesRequest;
import dev.executor.policy.v1.ToolFacts;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/** PolicyService calls, with the gateway's own token. */
@ApplicationScoped
public class PolicyClient {

    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final String SERVICE = "policy service";

    private final MutinyPolicyServiceStub stub;

    public PolicyClient(@GrpcClient("policy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyPolicyServiceStub stub) {
        this.stub = stub;
    }

    /** The scope chain of an identity (its scope_chain is ignored). */
    public Uni<List<Scope>> resolveScopes(Principal identity) {
        return s().resolveScopes(ResolveScopesRequest.newBuilder().setPrincipal(identity).build())
                .map(r -> List.copyOf(r.getScopeChainList()))
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    public Uni<DecideResponse> decide(Principal principal, String toolkit, String address, ToolFacts facts) {
        return s().decide(DecideRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit).setAddress(address)
                .setTool(facts).build())
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    /** The subset of {@code addresses} the principal may see under the toolkit, in input order. */
    public Uni<List<String>> visible(Principal principal, String toolkit, List<String> addresses) {
        return s().filterVisible(FilterVisibleRequest.newBuilder().setPrincipal(principal).setToolkit(toolkit)
                .addAllCandidateAddresses(addresses).build())
                .map(r -> List.copyOf(r.getVisibleAddressesList()))
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    private MutinyPolicyServiceStub s() {
        return stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
