package dev.executor.catalog;

import java.util.List;

/**
 * The normalized, inert result of importing a source: its tools plus the facts the platform needs
 * about where they run. No credentials, no runnable code.
 *
 * @param kind source kind that produced it ("openapi", "graphql", "mcp")
 * @param title the document's title, informative only
 * @param baseUrl the URL requests are built against (empty for process lanes or when unknown)
 * @param declaredHosts hosts the tools may call; connections of the source are bound to them
 * @param tools tools in document order, names unique
 * @param warnings non-fatal findings (skipped operations, dropped external refs, renamed tools)
 */
public record Manifest(String kind, String title, String baseUrl, List<String> declaredHosts,
        List<ToolDefinition> tools, List<String> warnings) {

    public Manifest {
        title = title == null ? "" : title;
        baseUrl = baseUrl == null ? "" : baseUrl;
        declaredHosts = List.copyOf(declaredHosts);
        tools = List.copyOf(tools);
        warnings = List.copyOf(warnings);
    }
}
