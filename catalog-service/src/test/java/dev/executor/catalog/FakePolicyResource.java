package dev.executor.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.executor.common.v1.ReviewState;
import dev.executor.contracts.ErrorReasons;
import dev.executor.policy.v1.FilterVisibleRequest;
import dev.executor.policy.v1.FilterVisibleResponse;
import dev.executor.policy.v1.HiddenAddress;
import dev.executor.policy.v1.PolicyServiceGrpc;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fake {@code PolicyService} for the catalog's tests: a real gRPC server on a free loopback port
 * answering {@code FilterVisible} from canned rules, plus the gRPC health check the catalog's
 * readiness asks. It hides what the real service hides (unreviewed/retired candidates, addresses
 * outside a toolkit in force) and whatever a test says ({@link #hide}); it can play dead
 * ({@link #down}). It records every request and the bearer token it came with, and refuses calls
 * without one, as the real service does. The full chain against the real policy-service is tested
 * elsewhere.
 *
 * <p>Shared by the JVM's test classes; tests call {@link #reset()} first. Init arg
 * {@code filter-batch-size} sets {@code catalog.policy.filter-batch-size}.
 */
public class FakePolicyResource implements QuarkusTestResourceLifecycleManager {

    /** One FilterVisible call as received. */
    public record Received(FilterVisibleRequest request, String authorization) {
    }

    private static Server server;
    private static final Map<String, String> HIDDEN = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> TOOLKITS = new ConcurrentHashMap<>();
    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static volatile boolean down;

    private String batchSize;

    @Override
    public void init(Map<String, String> initArgs) {
        batchSize = initArgs.get("filter-batch-size");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        // In test mode Quarkus dials a client's test-port, not its port.
        config.put("quarkus.grpc.clients.policy.test-port", String.valueOf(port()));
        if (batchSize != null) {
            config.put("catalog.policy.filter-batch-size", batchSize);
        }
        return config;
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes; stopped by the JVM's exit
    }

    /** Forgets every rule and recorded request; policy is up again. */
    public static void reset() {
        HIDDEN.clear();
        TOOLKITS.clear();
        RECEIVED.clear();
        down = false;
    }

    /** Hides an address with a reason (as a block placement or policy would). */
    public static void hide(String address, String reason) {
        HIDDEN.put(address, reason);
    }

    /** Defines a toolkit admitting exactly these addresses; a toolkit not defined admits nothing. */
    public static void toolkit(String name, Set<String> addresses) {
        TOOLKITS.put(name, Set.copyOf(addresses));
    }

    /** While true, every FilterVisible fails with UNAVAILABLE. */
    public static void down(boolean isDown) {
        down = isDown;
    }

    /** Forgets the recorded requests only. */
    public static void forgetReceived() {
        RECEIVED.clear();
    }

    public static List<Received> received() {
        return new ArrayList<>(RECEIVED);
    }

    private static synchronized int port() {
        if (server == null) {
            server = BearerRequired.serve(new Policy(), "policy", new Health());
        }
        return server.getPort();
    }

    private static final class Policy extends PolicyServiceGrpc.PolicyServiceImplBase {
        @Override
        public void filterVisible(FilterVisibleRequest request, StreamObserver<FilterVisibleResponse> answer) {
            RECEIVED.add(new Received(request, BearerRequired.TOKEN.get()));
            if (down) {
                answer.onError(Status.UNAVAILABLE.withDescription("policy snapshot not loaded").asRuntimeException());
                return;
            }
            FilterVisibleResponse.Builder out = FilterVisibleResponse.newBuilder().setPolicyVersion(7);
            for (String address : request.getCandidateAddressesList()) {
                String reason = reason(request, address);
                if (reason == null) {
                    out.addVisibleAddresses(address);
                } else {
                    out.addHidden(HiddenAddress.newBuilder().setAddress(address).setReason(reason));
                }
            }
            answer.onNext(out.build());
            answer.onCompleted();
        }

        private static String reason(FilterVisibleRequest request, String address) {
            if (HIDDEN.containsKey(address)) {
                return HIDDEN.get(address);
            }
            if (!request.getToolkit().isEmpty() && !TOOLKITS.getOrDefault(request.getToolkit(), Set.of()).contains(address)) {
                return ErrorReasons.NOT_VISIBLE;
            }
            ReviewState state = request.getReviewStatesOrDefault(address, ReviewState.REVIEW_STATE_UNSPECIFIED);
            return switch (state) {
                case UNREVIEWED -> ErrorReasons.TOOL_UNREVIEWED;
                case RETIRED -> ErrorReasons.TOOL_RETIRED;
                default -> null;
            };
        }
    }

    private static final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> answer) {
            answer.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
            answer.onCompleted();
        }
    }
}
