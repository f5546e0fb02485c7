package dev.executor.gateway.client;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/** Ready only while policy-service, which decides what an agent may see, answers its gRPC health check. */
@Readiness
@Singleton
public class PolicyReadinessCheck extends DownstreamReadinessCheck {

    public PolicyReadinessCheck(@GrpcClient("policy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health health) {
        super("policy-service", health);
    }
}
