package dev.executor.gateway.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.MutinyInvokerServiceGrpc.MutinyInvokerServiceStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/** InvokerService calls, with the gateway's own token; the deadline covers the requested wait plus a margin. */
@ApplicationScoped
public class InvokerClient {

    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final String SERVICE = "invoker";

    private final MutinyInvokerServiceStub stub;

    public InvokerClient(@GrpcClient("invoker") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinyInvokerServiceStub stub) {
        this.stub = stub;
    }

    public Uni<InvokeResponse> invoke(InvokeRequest request) {
        long waitMillis = request.hasWait() ? request.getWait().getSeconds() * 1000 + request.getWait().getNanos() / 1_000_000 : 0;
        return stub.withDeadlineAfter(waitMillis + MARGIN.toMillis(), TimeUnit.MILLISECONDS).invoke(request)
                .onFailure().transform(e -> DownstreamError.of(e, SERVICE));
    }
}
