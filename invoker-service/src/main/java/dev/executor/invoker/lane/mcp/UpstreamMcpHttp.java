package dev.executor.invoker.lane.mcp;

import jakarta.enterprise.context.ApplicationScoped;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.Upstream;
import io.smallrye.mutiny.Uni;

/**
 * The production {@link McpHttp}: each request goes through {@link Upstream#forward}, so
 * secrets-proxy injects the connection's credential and checks the destination. A response the
 * proxy cut at its size limit is refused (a cut JSON-RPC message cannot be read).
 */
@ApplicationScoped
public class UpstreamMcpHttp implements McpHttp {

    private final Upstream upstream;

    public UpstreamMcpHttp(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public Uni<Reply> send(LaneCall call, Upstream.Request request) {
        return upstream.forward(call, request).map(response -> {
            if (response.getTruncated()) {
                throw new LaneException(ErrorReasons.UPSTREAM_ERROR,
                        "The MCP server's answer was larger than secrets-proxy's response limit and was cut.");
            }
            return new Reply(response.getStatus(), response.getHeadersList(), response.getBody().toByteArray());
        });
    }
}
