package dev.executor.invoker.client;

import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheckResponse;

import grpc.health.v1.Health;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness of one downstream service, judged by its standard gRPC health service. Each
 * subclass is one {@code @Readiness} check named {@code gRPC <service>}. The check goes over the
 * same channel as the real calls (with this service's token), so it also fails while this service
 * cannot obtain its own token from Keycloak.
 */
abstract class DownstreamReadinessCheck implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String name;
    private final Health health;

    DownstreamReadinessCheck(String service, Health health) {
        this.name = "gRPC " + service;
        this.health = health;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return health.check(HealthCheckRequest.getDefaultInstance())
                .ifNoItem().after(TIMEOUT).fail()
                .map(r -> HealthCheckResponse.named(name)
                        .status(r.getStatus() == ServingStatus.SERVING)
                        .withData("status", r.getStatus().name())
                        .build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(name)
                        .down()
                        .withData("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .build());
    }
}
