package dev.executor.invoker.grpc;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;

import org.jboss.logging.Logger;

import dev.executor.common.v1.ErrorDetail;
import dev.executor.common.v1.Principal;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.mcp.McpLane;
import dev.executor.invoker.service.InvokerException;
import dev.executor.invoker.service.Invocations;
import dev.executor.invoker.v1.CancelRequest;
import dev.executor.invoker.v1.CancelResponse;
import dev.executor.invoker.v1.InvokeRequest;
import dev.executor.invoker.v1.InvokeResponse;
import dev.executor.invoker.v1.MutinyInvokerServiceGrpc;
import dev.executor.invoker.v1.ProbeMcpServerRequest;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * gRPC {@code executor.invoker.v1.InvokerService}, served on the HTTP port. Only other Executor
 * services call it (they hold an {@code executor-service} token) and pass the end user's principal
 * in the request; the principal is never widened here.
 *
 * <p>Each RPC is overridden here, not inherited: Quarkus applies the class-level
 * {@code @RolesAllowed} only to methods the class declares, so an inherited stub method would
 * answer callers without checking their token.
 */
@GrpcService
@RolesAllowed("executor-service")
public class InvokerGrpcService extends MutinyInvokerServiceGrpc.InvokerServiceImplBase {

    private static final Logger LOG = Logger.getLogger(InvokerGrpcService.class);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of(ErrorReasons.DETAIL_TRAILER, Metadata.BINARY_BYTE_MARSHALLER);

    private final Invocations invocations;
    private final McpLane mcp;

    public InvokerGrpcService(Invocations invocations, McpLane mcp) {
        this.invocations = invocations;
        this.mcp = mcp;
    }

    @Override
    public Uni<InvokeResponse> invoke(InvokeRequest request) {
        return Uni.createFrom().deferred(() -> {
            Principal principal = principal(request.getPrincipal());
            Duration wait = request.hasWait() ? Duration.ofSeconds(request.getWait().getSeconds(), request.getWait().getNanos())
                    : Duration.ZERO;
            return invocations.invoke(new Invocations.Call(principal, request.getToolkit(), request.getAddress(),
                    invocations.arguments(request.getArgumentsJson()), request.getIdempotencyKey(), request.getSurface(),
                    request.getParentRunId(), wait, request.getTraceParent(), null, List.of()));
        }).onFailure().transform(InvokerGrpcService::status);
    }

    @Override
    public Uni<CancelResponse> cancel(CancelRequest request) {
        return Uni.createFrom().deferred(() -> invocations.cancel(request.getRunId(), principal(request.getPrincipal()), request.getReason()))
                .map(status -> CancelResponse.newBuilder().setRunId(request.getRunId()).setStatus(status).build())
                .onFailure().transform(InvokerGrpcService::status);
    }

    /**
     * Lists a stdio MCP server's tools for the catalog (a one-off process; see
     * {@link McpLane#probe}). Runs no tool and records no Run, so it takes no principal: the caller's
     * {@code executor-service} role is the whole check, and the command allow-list applies as for calls.
     */
    @Override
    public Uni<ProbeMcpServerResponse> probeMcpServer(ProbeMcpServerRequest request) {
        return Uni.createFrom().deferred(() -> {
            if (!request.hasServer()) {
                throw new InvokerException(ErrorReasons.INVALID_ARGUMENTS, "server is required: the stdio MCP server to probe.");
            }
            return mcp.probe(request.getServer());
        }).onFailure(LaneException.class).transform(e -> new InvokerException(((LaneException) e).reason(), e.getMessage()))
                .onFailure().transform(InvokerGrpcService::status);
    }

    private static Principal principal(Principal p) {
        if (p == null || p.getSubject().isBlank()) {
            throw new InvokerException(ErrorReasons.INVALID_ARGUMENTS,
                    "principal.subject is required: pass the end user the call is made for.");
        }
        return p;
    }

    static StatusRuntimeException status(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            return e;
        }
        ErrorDetail detail;
        if (failure instanceof InvokerException e) {
            detail = e.detail();
        } else {
            LOG.errorf(failure, "Invoke failed unexpectedly");
            detail = ErrorDetail.newBuilder().setReason(ErrorReasons.INTERNAL).setMessage("Something failed on our side; try again.").build();
        }
        Status code = switch (detail.getReason()) {
            case ErrorReasons.TOOL_NOT_FOUND, ErrorReasons.SOURCE_NOT_FOUND, ErrorReasons.CONNECTION_NOT_FOUND,
                    ErrorReasons.RUN_NOT_FOUND -> Status.NOT_FOUND;
            case ErrorReasons.INVALID_ARGUMENTS, ErrorReasons.INVALID_SPEC -> Status.INVALID_ARGUMENT;
            case ErrorReasons.POLICY_BLOCKED, ErrorReasons.NOT_VISIBLE, ErrorReasons.EGRESS_DENIED, ErrorReasons.PERMISSION_DENIED ->
                Status.PERMISSION_DENIED;
            case ErrorReasons.APPROVAL_REQUIRED, ErrorReasons.TOOL_UNREVIEWED, ErrorReasons.TOOL_RETIRED,
                    ErrorReasons.NEEDS_REAUTHORIZATION -> Status.FAILED_PRECONDITION;
            case ErrorReasons.UPSTREAM_ERROR, ErrorReasons.UNAVAILABLE -> Status.UNAVAILABLE;
            case ErrorReasons.UPSTREAM_TIMEOUT -> Status.DEADLINE_EXCEEDED;
            case ErrorReasons.RATE_LIMITED -> Status.RESOURCE_EXHAUSTED;
            case ErrorReasons.CONFLICT -> Status.ABORTED;
            case ErrorReasons.UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            default -> Status.INTERNAL;
        };
        Metadata trailers = new Metadata();
        trailers.put(REASON, detail.getReason());
        trailers.put(DETAIL, detail.toByteArray());
        return code.withDescription(detail.getMessage()).asRuntimeException(trailers);
    }
}
