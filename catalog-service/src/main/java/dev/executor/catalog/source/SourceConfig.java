package dev.executor.catalog.source;

import java.util.List;

/**
 * What an admin registered for a source. Exactly one of {@code url}, {@code inlineDocument} and the
 * MCP fields is meaningful for a given kind.
 *
 * @param url URL of an OpenAPI document or of a GraphQL endpoint / introspection document
 * @param inlineDocument an OpenAPI (JSON/YAML), GraphQL introspection JSON or SDL document
 * @param mcpTransport "streamable_http", "sse" or "stdio" for MCP sources
 * @param command executable and {@code args} for stdio MCP servers
 * @param allowExternalRefs whether {@code $ref}s to other documents may be followed (off by default)
 */
public record SourceConfig(String url, String inlineDocument, String mcpTransport, String command, List<String> args,
        boolean allowExternalRefs) {

    public SourceConfig {
        args = args == null ? List.of() : List.copyOf(args);
    }

    public static SourceConfig ofUrl(String url) {
        return new SourceConfig(url, null, null, null, List.of(), false);
    }

    public static SourceConfig inline(String document) {
        return new SourceConfig(null, document, null, null, List.of(), false);
    }

    public boolean hasUrl() {
        return url != null && !url.isBlank();
    }

    public boolean hasInlineDocument() {
        return inlineDocument != null && !inlineDocument.isBlank();
    }
}
