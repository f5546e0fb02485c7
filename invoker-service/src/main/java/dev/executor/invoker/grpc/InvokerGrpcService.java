package dev.executor.invoker.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.invoker.v1.CancelRequest;
import dev.executor.invoker.v1.CancelResponse;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.MutinyInvokerServiceGrpc;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.invoker.v1.InvokerService}, served on the HTTP port. Only other Executor services call it
 * (they hold an {@code executor-service} token) and pass the agent's principal in the request. Every RPC answers {@code UNIMPLEMENTED}
 * until the invoker work (issue #6) lands; the server, its security and its health endpoint are live.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class InvokerGrpcService extends MutinyInvokerServiceGrpc.InvokerServiceImplBase {

    @Override
    public Uni<InvokeResponse> invoke(InvokeRequest request) {
        return Uni.createFrom().failure(notYet("Invoke"));
    }

    @Override
    public Uni<CancelResponse> cancel(CancelRequest request) {
        return Uni.createFrom().failure(notYet("Cancel"));
    }

    private static RuntimeException notYet(String rpc) {
        return Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet (issue #6).").asRuntimeException();
    }
}
