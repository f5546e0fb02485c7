package dev.executor.invoker.lane;

import java.time.Duration;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.ByteString;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.client.ServiceTokenInterceptor;
import dev.executor.secrets.v1.ForwardRequest;
import dev.executor.secrets.v1.ForwardResponse;
import dev.executor.secrets.v1.Header;
import dev.executor.secrets.v1.HttpRequest;
import dev.executor.secrets.v1.MutinySecretsProxyGrpc.MutinySecretsProxyStub;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.smallrye.mutiny.Uni;

/**
 * The only way a lane reaches the network: {@code SecretsProxy.Forward} through the call's
 * connection. The proxy injects the credential, checks the destination against the source's
 * declared hosts and the egress rules, and redacts the answer; the invoker never holds a secret.
 */
@ApplicationScoped
public class Upstream {

    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> PASS_THROUGH = Set.of(ErrorReasons.EGRESS_DENIED, ErrorReasons.NEEDS_REAUTHORIZATION,
            ErrorReasons.UPSTREAM_TIMEOUT, ErrorReasons.UPSTREAM_ERROR, ErrorReasons.CONNECTION_NOT_FOUND);

    private final MutinySecretsProxyStub proxy;

    public Upstream(@GrpcClient("secrets-proxy") @RegisterClientInterceptor(ServiceTokenInterceptor.class) MutinySecretsProxyStub proxy) {
        this.proxy = proxy;
    }

    /** A plain request description; {@code body} may be null. */
    public record Request(String method, String url, java.util.List<Header> headers, byte[] body) {
    }

    /**
     * Sends {@code request} through the call's connection. Fails with a {@link LaneException}
     * (reason from secrets-proxy, e.g. {@code EGRESS_DENIED}); an HTTP error status is not a
     * failure here, the lane decides what it means.
     */
    public Uni<ForwardResponse> forward(LaneCall call, Request request) {
        HttpRequest.Builder http = HttpRequest.newBuilder().setMethod(request.method()).setUrl(request.url())
                .addAllHeaders(request.headers());
        if (request.body() != null) {
            http.setBody(ByteString.copyFrom(request.body()));
        }
        Duration timeout = call.timeout();
        if (timeout != null) {
            http.setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeout.toSeconds()).setNanos(timeout.toNanosPart()));
        }
        ForwardRequest forward = ForwardRequest.newBuilder().setConnectionRef(call.tool().getConnection()).setRequest(http)
                .setPrincipal(call.principal()).setRunId(call.runId()).build();
        Uni<ForwardResponse> answer = proxy.forward(forward);
        if (timeout != null) {
            // The proxy enforces the upstream timeout; this only guards against the proxy itself hanging.
            answer = answer.ifNoItem().after(timeout.plusSeconds(2)).failWith(() -> new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                    "The upstream did not answer within " + timeout.toMillis() + " ms."));
        }
        return answer.onFailure(StatusRuntimeException.class).transform(Upstream::toLaneException);
    }

    static LaneException toLaneException(Throwable failure) {
        StatusRuntimeException e = (StatusRuntimeException) failure;
        Metadata trailers = e.getTrailers();
        String reason = trailers == null ? null : trailers.get(REASON);
        String description = e.getStatus().getDescription() == null ? "secrets-proxy refused the request." : e.getStatus().getDescription();
        if (reason != null && PASS_THROUGH.contains(reason)) {
            return new LaneException(reason, description, null, ErrorReasons.UPSTREAM_ERROR.equals(reason));
        }
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
            return new LaneException(ErrorReasons.UNAVAILABLE, "secrets-proxy is unavailable; try again shortly.", null, true);
        }
        if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new LaneException(ErrorReasons.UPSTREAM_TIMEOUT, "The upstream did not answer in time.");
        }
        return new LaneException(reason == null ? ErrorReasons.UPSTREAM_ERROR : reason, description);
    }
}
