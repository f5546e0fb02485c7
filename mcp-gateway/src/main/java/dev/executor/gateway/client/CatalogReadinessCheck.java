package dev.executor.gateway.client;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/** Ready only while catalog-service, which answers search and describe, answers its gRPC health check. */
@Readiness
@Singleton
public class CatalogReadinessCheck extends DownstreamReadinessCheck {

    public CatalogReadinessCheck(@GrpcClient("catalog") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health health) {
        super("catalog-service", health);
    }
}
