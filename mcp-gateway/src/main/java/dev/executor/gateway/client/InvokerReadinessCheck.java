package dev.executor.gateway.client;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/** Ready only while invoker-service, which executes every call, answers its gRPC health check. */
@Readiness
@Singleton
public class InvokerReadinessCheck extends DownstreamReadinessCheck {

    public InvokerReadinessCheck(@GrpcClient("invoker") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health health) {
        super("invoker-service", health);
    }
}
