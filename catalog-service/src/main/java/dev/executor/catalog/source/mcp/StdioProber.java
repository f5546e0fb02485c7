package dev.executor.catalog.source.mcp;

import java.util.List;

import dev.executor.catalog.source.ImportException;
import dev.executor.invoker.v1.ProbeMcpServerResponse;

/**
 * Lists the tools of a stdio MCP server. The catalog never starts a process itself: the service
 * implementation asks the invoker ({@code InvokerService.ProbeMcpServer}); see
 * {@code client/InvokerProbeClient}. Blocking; called from the importer's worker thread.
 */
public interface StdioProber {

    /**
     * @throws ImportException {@link ImportException.Kind#DEFERRED} when the invoker cannot or will
     *                         not probe the server (unreachable, command not allowed): the source stays
     *                         {@code draft} with the message; {@link ImportException.Kind#UNREACHABLE}
     *                         when the invoker ran the server and it failed (did not start, error, timeout)
     */
    ProbeMcpServerResponse probe(String command, List<String> args) throws ImportException;
}
