package dev.executor.gateway.client;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/** Ready only while run-ledger, which reports run status, answers its gRPC health check. */
@Readiness
@Singleton
public class LedgerReadinessCheck extends DownstreamReadinessCheck {

    public LedgerReadinessCheck(@GrpcClient("ledger") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health health) {
        super("run-ledger", health);
    }
}
