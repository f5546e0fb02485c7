package dev.executor.invoker.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.ByteString;

import dev.executor.invoker.client.ServiceTokenInterceptor;
import dev.executor.ledger.v1.MutinyRunLedgerGrpc.MutinyRunLedgerStub;
import dev.executor.ledger.v1.StoreOutputRequest;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/**
 * Keeps outputs too large to travel inline in run-ledger ({@code RunLedger.StoreOutput}); the Run's
 * events and the caller then carry only the handle, readable through {@code RunLedger.ReadOutput}
 * by whoever may read the Run.
 */
@ApplicationScoped
public class OutputStore {

    private final MutinyRunLedgerStub ledger;

    public OutputStore(@GrpcClient("ledger") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyRunLedgerStub ledger) {
        this.ledger = ledger;
    }

    /** Stores {@code data} for {@code runId}; the handle is derived from the run id, so a retry stores nothing twice. */
    public Uni<String> store(String runId, byte[] data) {
        String handle = "out_" + runId;
        return ledger.storeOutput(StoreOutputRequest.newBuilder().setRunId(runId).setHandle(handle).setData(ByteString.copyFrom(data))
                .setContentType("application/json").build())
                .ifNoItem().after(Duration.ofSeconds(30)).fail()
                .onFailure().retry().withBackOff(Duration.ofMillis(200)).atMost(2)
                .onFailure().transform(e -> Downstream.map("run-ledger", e))
                .replaceWith(handle);
    }
}
