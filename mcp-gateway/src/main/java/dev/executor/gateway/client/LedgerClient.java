package dev.executor.gateway.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.common.v1.Principal;
import dev.executor.ledger.v1.GetRunRequest;
import dev.executor.ledger.v1.GetRunResponse;
import dev.executor.ledger.v1.MutinyRunLedgerGrpc.MutinyRunLedgerStub;
import dev.executor.ledger.v1.ReadOutputRequest;
import dev.executor.ledger.v1.ReadOutputResponse;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/** RunLedger calls (read-only: approving is not a gRPC method), with the gateway's own token. */
@ApplicationScoped
public class LedgerClient {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String SERVICE = "run ledger";

    private final MutinyRunLedgerStub stub;

    public LedgerClient(@GrpcClient("ledger") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyRunLedgerStub stub) {
        this.stub = stub;
    }

    public Uni<GetRunResponse> getRun(Principal principal, String runId) {
        return s().getRun(GetRunRequest.newBuilder().setPrincipal(principal).setRunId(runId).build())
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    public Uni<ReadOutputResponse> readOutput(Principal principal, String handle, long offset, int maxBytes) {
        return s().readOutput(ReadOutputRequest.newBuilder().setPrincipal(principal).setHandle(handle).setOffset(offset)
                .setMaxBytes(maxBytes).build())
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }

    private MutinyRunLedgerStub s() {
        return stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
