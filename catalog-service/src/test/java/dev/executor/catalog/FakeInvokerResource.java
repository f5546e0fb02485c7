package dev.executor.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.v1.InvokerServiceGrpc;
import dev.executor.invoker.v1.ProbeMcpServerRequest;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fake {@code InvokerService} for the catalog's tests: a real gRPC server on a free loopback port
 * answering {@code ProbeMcpServer} with what a test set ({@link #answer}), a refusal with a reason
 * trailer as the real invoker sends it ({@link #refuse}), or {@code UNAVAILABLE} without a reason
 * while it plays dead ({@link #down}). It records every request and the bearer token it came with,
 * and refuses calls without one, as the real service does. The invoker's own probe is tested in
 * invoker-service against a real stdio server.
 *
 * <p>Shared by the JVM's test classes; tests call {@link #reset()} first.
 */
public class FakeInvokerResource implements QuarkusTestResourceLifecycleManager {

    /** One ProbeMcpServer call as received. */
    public record Received(ProbeMcpServerRequest request, String authorization) {
    }

    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private static Server server;
    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static volatile ProbeMcpServerResponse answer = ProbeMcpServerResponse.getDefaultInstance();
    private static volatile Status refusal;
    private static volatile String refusalReason;
    private static volatile boolean down;

    @Override
    public Map<String, String> start() {
        // In test mode Quarkus dials a client's test-port, not its port.
        return Map.of("quarkus.grpc.clients.invoker.test-port", String.valueOf(port()));
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes; stopped by the JVM's exit
    }

    /** Forgets the answer, refusal and recorded requests; the invoker is up and lists no tools. */
    public static void reset() {
        RECEIVED.clear();
        answer = ProbeMcpServerResponse.getDefaultInstance();
        refusal = null;
        refusalReason = null;
        down = false;
    }

    /** What the next probes answer. */
    public static void answer(ProbeMcpServerResponse response) {
        answer = response;
        refusal = null;
    }

    /** The next probes fail with {@code status} and the {@code executor-error-reason} trailer {@code reason}. */
    public static void refuse(Status status, String reason) {
        refusal = status;
        refusalReason = reason;
    }

    /** While true, every probe fails with UNAVAILABLE and no reason, as when nothing answers. */
    public static void down(boolean isDown) {
        down = isDown;
    }

    public static List<Received> received() {
        return new ArrayList<>(RECEIVED);
    }

    private static synchronized int port() {
        if (server == null) {
            server = BearerRequired.serve(new Invoker(), "invoker");
        }
        return server.getPort();
    }

    private static final class Invoker extends InvokerServiceGrpc.InvokerServiceImplBase {
        @Override
        public void probeMcpServer(ProbeMcpServerRequest request, StreamObserver<ProbeMcpServerResponse> out) {
            RECEIVED.add(new Received(request, BearerRequired.TOKEN.get()));
            if (down) {
                out.onError(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
                return;
            }
            Status refused = refusal;
            if (refused != null) {
                Metadata trailers = new Metadata();
                trailers.put(REASON, refusalReason);
                out.onError(refused.asRuntimeException(trailers));
                return;
            }
            out.onNext(answer);
            out.onCompleted();
        }
    }
}
