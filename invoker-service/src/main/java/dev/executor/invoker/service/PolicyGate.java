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
