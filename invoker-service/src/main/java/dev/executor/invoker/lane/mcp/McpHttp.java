package dev.executor.invoker.lane.mcp;

import java.util.List;

import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.Upstream;
import dev.executor.secrets.v1.Header;
import io.smallrye.mutiny.Uni;

/**
 * The HTTP hop of the MCP Streamable HTTP transport. In the service it is {@link UpstreamMcpHttp}
 * (every request through secrets-proxy's {@code Forward}, which injects the connection's
 * credential); tests plug a direct sender to reach a loopback MCP server without a proxy.
 *
 * <p>Implementations are thread-safe. An HTTP error status is a {@link Reply}, not a failure; a
 * failure is a {@code LaneException} (no answer at all, egress refused, ...).
 */
public interface McpHttp {

    /** One HTTP answer. */
    record Reply(int status, List<Header> headers, byte[] body) {

        /** The first value of header {@code name} (case-insensitive), or null. */
        public String header(String name) {
            for (Header h : headers) {
                if (h.getName().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    Uni<Reply> send(LaneCall call, Upstream.Request request);
}
