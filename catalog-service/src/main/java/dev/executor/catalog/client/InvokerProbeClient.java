package dev.executor.catalog.client;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.catalog.config.CatalogConfig;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.mcp.StdioProber;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.v1.InvokerServiceGrpc.InvokerServiceBlockingStub;
import dev.executor.invoker.v1.ProbeMcpServerRequest;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;

/**
 * {@code InvokerService.ProbeMcpServer}, called with this service's own token, with a deadline of
 * {@code catalog.invoker.probe-timeout}. The invoker is the only service that runs upstream
 * processes, so it starts a stdio MCP server once and lists its tools for the catalog.
 *
 * <p>Outcomes for the source: the invoker ran the server and it failed (reason
 * {@code UPSTREAM_ERROR} / {@code UPSTREAM_TIMEOUT}) → {@code error} with the invoker's message;
 * anything else that keeps the invoker from probing (unreachable, deadline, an invoker without
 * the RPC, a refused token, a command not in its allow-list) → {@code draft} with a message saying
 * what to do. Never an exception the admin would see as a stack trace.
 */
@ApplicationScoped
public class InvokerProbeClient implements StdioProber {

    private static final Logger LOG = Logger.getLogger(InvokerProbeClient.class);
    private static final Metadata.Key<String> REASON = Metadata.Key.of(ErrorReasons.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private final InvokerServiceBlockingStub invoker;
    private final CatalogConfig config;

    public InvokerProbeClient(@GrpcClient("invoker") @RegisterClientInterceptor(ServiceTokenInterceptor.class) InvokerServiceBlockingStub invoker,
            CatalogConfig config) {
        this.invoker = invoker;
        this.config = config;
    }

    @Override
    public ProbeMcpServerResponse probe(String command, List<String> args) throws ImportException {
        ProbeMcpServerRequest request = ProbeMcpServerRequest.newBuilder()
                .setServer(McpServerConfig.newBuilder().setTransport("stdio").setCommand(command).addAllArgs(args)).build();
        try {
            return invoker.withDeadlineAfter(config.invoker().probeTimeout().toMillis(), TimeUnit.MILLISECONDS).probeMcpServer(request);
        } catch (StatusRuntimeException e) {
            throw failure(command, e);
        } catch (RuntimeException e) {
            LOG.warnf("InvokerService.ProbeMcpServer failed: %s", e.toString());
            throw deferred(command, "the call failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static ImportException failure(String command, StatusRuntimeException e) {
        String reason = e.getTrailers() == null ? null : e.getTrailers().get(REASON);
        String description = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
        LOG.infof("InvokerService.ProbeMcpServer for '%s': %s %s %s", command, e.getStatus().getCode(), reason == null ? "" : reason,
                description);
        if (ErrorReasons.UPSTREAM_ERROR.equals(reason) || ErrorReasons.UPSTREAM_TIMEOUT.equals(reason)) {
            return new ImportException(Kind.UNREACHABLE, "The invoker started the stdio MCP server '" + command
                    + "' but could not list its tools: " + description + " Fix the command and refresh the source.");
        }
        if (ErrorReasons.PERMISSION_DENIED.equals(reason)) {
            return new ImportException(Kind.DEFERRED, "Registered, but the invoker refused to start '" + command + "': " + description
                    + " Once an operator allows it, refresh the source to list its tools.");
        }
        return deferred(command, switch (e.getStatus().getCode()) {
            case UNAVAILABLE -> "it could not be reached";
            case DEADLINE_EXCEEDED -> "it did not answer in time";
            case UNIMPLEMENTED -> "it does not offer ProbeMcpServer (an older invoker)";
            case UNAUTHENTICATED, PERMISSION_DENIED -> "it refused this service's credentials";
            default -> "it answered " + e.getStatus().getCode() + (description.isEmpty() ? "" : " (" + description + ")");
        });
    }

    private static ImportException deferred(String command, String why) {
        return new ImportException(Kind.DEFERRED, "Registered; stdio MCP servers are started and probed by the invoker (the only service "
                + "that runs upstream processes), but the probe of '" + command + "' did not happen: " + why
                + ". The source has no tools until a refresh succeeds.");
    }
}
