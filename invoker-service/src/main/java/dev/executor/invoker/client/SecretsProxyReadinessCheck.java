package dev.executor.invoker.client;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/** Ready only while secrets-proxy, through which every upstream request goes, answers its gRPC health check. */
@Readiness
@Singleton
public class SecretsProxyReadinessCheck extends DownstreamReadinessCheck {

    public SecretsProxyReadinessCheck(@GrpcClient("secrets-proxy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health health) {
        super("secrets-proxy", health);
    }
}
