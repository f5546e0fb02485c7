package dev.executor.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.executor.launcher.infra.FreePorts;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real gRPC server on a free loopback port that answers only {@code grpc.health.v1.Health/Check}
 * with SERVING, standing in for the four services the gateway calls. Points the gateway's
 * {@code invoker}, {@code catalog}, {@code policy} and {@code ledger} clients at it.
 */
public class GrpcHealthStubResource implements QuarkusTestResourceLifecycleManager {

    private Server server;

    @Override
    public Map<String, String> start() {
        int port = FreePorts.pick();
        try {
            server = ServerBuilder.forPort(port).addService(new Serving()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String p = String.valueOf(port);
        return Map.of(
                "quarkus.grpc.clients.invoker.port", p,
                "quarkus.grpc.clients.catalog.port", p,
                "quarkus.grpc.clients.policy.port", p,
                "quarkus.grpc.clients.ledger.port", p);
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static final class Serving extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
            reply.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
            reply.onCompleted();
        }
    }
}
