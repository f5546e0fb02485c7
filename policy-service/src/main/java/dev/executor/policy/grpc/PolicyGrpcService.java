package dev.executor.policy.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.policy.v1.DecideRequest;
import dev.executor.policy.v1.DecideResponse;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.GetPolicyVersionRequest;
import dev.executor.policy.v1.GetPolicyVersionResponse;
import dev.executor.policy.v1.MutinyPolicyServiceGrpc;
import dev.executor.policy.v1.ResolveScopesRequest;
import dev.executor.policy.v1.ResolveScopesResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.policy.v1.PolicyService}, served on the HTTP port. Only other Executor services call it
 * (they hold an {@code executor-service} token). Every RPC answers {@code UNIMPLEMENTED}
 * until the policy work (issue #4) lands; the server, its security and its health endpoint are live.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class PolicyGrpcService extends MutinyPolicyServiceGrpc.PolicyServiceImplBase {

    @Override
    public Uni<DecideResponse> decide(DecideRequest request) {
        return Uni.createFrom().failure(notYet("Decide"));
    }

    @Override
    public Uni<FilterVisibleResponse> filterVisible(FilterVisibleRequest request) {
        return Uni.createFrom().failure(notYet("FilterVisible"));
    }

    @Override
    public Uni<ResolveScopesResponse> resolveScopes(ResolveScopesRequest request) {
        return Uni.createFrom().failure(notYet("ResolveScopes"));
    }

    @Override
    public Uni<GetPolicyVersionResponse> getPolicyVersion(GetPolicyVersionRequest request) {
        return Uni.createFrom().failure(notYet("GetPolicyVersion"));
    }

    private static RuntimeException notYet(String rpc) {
        return Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet (issue #4).").asRuntimeException();
    }
}
