package dev.executor.gateway.mcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.executor.common.v1.Principal;
import dev.executor.common.v1.RunStatus;
import dev.executor.gateway.client.DownstreamError;
import dev.executor.gateway.client.LedgerClient;
import dev.executor.gateway.config.GatewayConfig;
import dev.executor.ledger.v1.Run;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.ResourceTemplateManager;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * The resource template {@code executor://runs/{runId}/output}: the output of a succeeded Run,
 * read from the ledger ({@code GetRun}, then {@code ReadOutput} for stored outputs) with the
 * reader's own principal, so exactly who may see the Run may read its output. A Run the reader
 * cannot see, or one without output, is "resource not found".
 */
@ApplicationScoped
public class RunOutputs {

    private static final int CHUNK = 1 << 20;

    private final ResourceTemplateManager templates;
    private final McpRequests requests;
    private final LedgerClient ledger;
    private final GatewayConfig config;

    public RunOutputs(ResourceTemplateManager templates, McpRequests requests, LedgerClient ledger, GatewayConfig config) {
        this.templates = templates;
        this.requests = requests;
        this.ledger = ledger;
        this.config = config;
    }

    void register(@Observes StartupEvent start) {
        templates.newResourceTemplate("run-output")
                .setUriTemplate("executor://runs/{runId}/output")
                .setTitle("Run output")
                .setMimeType("application/json")
                .setDescription("The output of a succeeded Run (links to it come from execute when an output is too large to inline).")
                .setAsyncHandler(args -> {
                    String uri = args.requestUri().value();
                    String runId = args.args().get("runId");
                    return requests.caller().chain(caller -> read(caller.principal(), runId, uri));
                })
                .register();
    }

    Uni<ResourceResponse> read(Principal principal, String runId, String uri) {
        return ledger.getRun(principal, runId).map(r -> r.getRun())
                .onFailure(DownstreamError.class).transform(e -> notFound(uri))
                .chain(run -> {
                    if (run.getStatus() != RunStatus.SUCCEEDED) {
                        return Uni.createFrom().failure(notFound(uri));
                    }
                    if (run.getOutputCase() == Run.OutputCase.OUTPUT_JSON) {
                        return Uni.createFrom().item(text(uri, run.getOutputJson(), "application/json"));
                    }
                    if (run.getOutputCase() != Run.OutputCase.OUTPUT_HANDLE) {
                        return Uni.createFrom().failure(notFound(uri));
                    }
                    return readAll(principal, run.getOutputHandle(), 0, new ByteArrayOutputStream(), null)
                            .map(r -> text(uri, r.text(), r.contentType()))
                            .onFailure(DownstreamError.class).transform(e -> notFound(uri));
                });
    }

    private record Read(String text, String contentType) {
    }

    private Uni<Read> readAll(Principal principal, String handle, long offset, ByteArrayOutputStream out, String type) {
        int limit = config.execute().readLimitBytes();
        int want = (int) Math.min(CHUNK, limit - out.size());
        return ledger.readOutput(principal, handle, offset, want).chain(chunk -> {
            out.writeBytes(chunk.getData().toByteArray());
            String contentType = chunk.getContentType().isEmpty() ? "application/json" : chunk.getContentType();
            boolean done = chunk.getEof() || chunk.getData().isEmpty();
            if (done) {
                return Uni.createFrom().item(new Read(out.toString(StandardCharsets.UTF_8), contentType));
            }
            if (out.size() >= limit) {
                return Uni.createFrom().item(new Read(out.toString(StandardCharsets.UTF_8)
                        + "\n[truncated at " + limit + " of " + chunk.getTotalSizeBytes() + " bytes]", "text/plain"));
            }
            return readAll(principal, handle, chunk.getOffset() + chunk.getData().size(), out, contentType);
        });
    }

    private static ResourceResponse text(String uri, String text, String mimeType) {
        return new ResourceResponse(java.util.List.of(new TextResourceContents(uri, text, mimeType)));
    }

    private static McpException notFound(String uri) {
        return new McpException("Resource not found: " + uri, JsonRpcErrorCodes.RESOURCE_NOT_FOUND);
    }
}
