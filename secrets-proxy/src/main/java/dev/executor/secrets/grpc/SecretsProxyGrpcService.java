package dev.executor.secrets.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.secrets.v1.ForwardChunk;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.GetConnectionRequest;
import dev.executor.secrets.v1.GetConnectionResponse;
import dev.executor.secrets.v1.ListConnectionsRequest;
import dev.executor.secrets.v1.ListConnectionsResponse;
import dev.executor.secrets.v1.MutinySecretsProxyGrpc;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.secrets.v1.SecretsProxy}, served on the HTTP port. Only other Executor services call it
 * (they hold an {@code executor-service} token). Every RPC answers {@code UNIMPLEMENTED}
 * until the secrets work (issue #5) lands; the server, its security and its health endpoint are live.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class SecretsProxyGrpcService extends MutinySecretsProxyGrpc.SecretsProxyImplBase {

    @Override
    public Uni<ForwardResponse> forward(ForwardRequest request) {
        return Uni.createFrom().failure(notYet("Forward"));
    }

    @Override
    public Multi<ForwardChunk> forwardStream(ForwardRequest request) {
        return Multi.createFrom().failure(notYet("ForwardStream"));
    }

    @Override
    public Uni<GetConnectionResponse> getConnection(GetConnectionRequest request) {
        return Uni.createFrom().failure(notYet("GetConnection"));
    }

    @Override
    public Uni<ListConnectionsResponse> listConnections(ListConnectionsRequest request) {
        return Uni.createFrom().failure(notYet("ListConnections"));
    }

    private static RuntimeException notYet(String rpc) {
        return Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet (issue #5).").asRuntimeException();
    }
}
