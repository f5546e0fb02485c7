package dev.executor.catalog.client;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.health.api.AsyncHealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/**
 * Ready only while the policy service, which filters every search, answers its gRPC health check.
 * The check goes through the same channel as {@link PolicyClient}, with this service's token (Quarkus
 * keeps one channel per client name and interceptor set, and a client name may only have one).
 */
@Readiness
@ApplicationScoped
public class DownstreamReadinessCheck implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Health policy;

    public DownstreamReadinessCheck(@GrpcClient("policy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) Health policy) {
        this.policy = policy;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return policy.check(HealthCheckRequest.getDefaultInstance())
                .ifNoItem().after(TIMEOUT).fail()
                .map(r -> HealthCheckResponse.named("gRPC policy-service")
                        .status(r.getStatus() == ServingStatus.SERVING)
                        .withData("status", r.getStatus().name())
                        .build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("gRPC policy-service")
                        .down()
                        .withData("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .build());
    }
}
