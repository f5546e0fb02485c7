package dev.executor.ledger.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.executor.ledger.v1.GetRunRequest;
import dev.executor.ledger.v1.GetRunResponse;
import dev.executor.ledger.v1.ListPendingApprovalsRequest;
import dev.executor.ledger.v1.ListPendingApprovalsResponse;
import dev.executor.ledger.v1.ListRunsRequest;
import dev.executor.ledger.v1.ListRunsResponse;
import dev.executor.ledger.v1.MutinyRunLedgerGrpc;
import dev.executor.ledger.v1.ReadOutputRequest;
import dev.executor.ledger.v1.ReadOutputResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.ledger.v1.RunLedger}, served on the HTTP port. Only other Executor services call it
 * (they hold an {@code executor-service} token); it is read-only by design, approving is not an RPC. Every RPC answers {@code UNIMPLEMENTED}
 * until the ledger work (issue #7) lands; the server, its security and its health endpoint are live.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class RunLedgerGrpcService extends MutinyRunLedgerGrpc.RunLedgerImplBase {

    @Override
    public Uni<GetRunResponse> getRun(GetRunRequest request) {
        return Uni.createFrom().failure(notYet("GetRun"));
    }

    @Override
    public Uni<ListRunsResponse> listRuns(ListRunsRequest request) {
        return Uni.createFrom().failure(notYet("ListRuns"));
    }

    @Override
    public Uni<ListPendingApprovalsResponse> listPendingApprovals(ListPendingApprovalsRequest request) {
        return Uni.createFrom().failure(notYet("ListPendingApprovals"));
    }

    @Override
    public Uni<ReadOutputResponse> readOutput(ReadOutputRequest request) {
        return Uni.createFrom().failure(notYet("ReadOutput"));
    }

    private static RuntimeException notYet(String rpc) {
        return Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet (issue #7).").asRuntimeException();
    }
}
