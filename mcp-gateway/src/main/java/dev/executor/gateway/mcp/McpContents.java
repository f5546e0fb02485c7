package dev.executor.gateway.mcp;

import java.util.ArrayList;
import java.util.List;

import io.quarkiverse.mcp.server.AudioContent;
import io.quarkiverse.mcp.server.BlobResourceContents;
import io.quarkiverse.mcp.server.Content;
import io.quarkiverse.mcp.server.EmbeddedResource;
import io.quarkiverse.mcp.server.ImageContent;
import io.quarkiverse.mcp.server.ResourceLink;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.ToolResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Passes an upstream MCP tool result through unchanged in shape: when a tool of an {@code mcp}
 * source succeeds, the invoker's MCP lane returns the upstream {@code CallToolResult} as the
 * output JSON ({@code content}, optional {@code structuredContent} and {@code isError}); the agent
 * gets those content items (text, image, audio, embedded resources, resource links) rather than
 * the JSON text of the whole result.
 */
final class McpContents {

    private McpContents() {
    }

    /** The tool result for {@code output}, or null when it is not a CallToolResult. */
    static ToolResponse fromCallToolResult(Object output) {
        if (!(output instanceof JsonObject result) || !(result.getValue("content") instanceof JsonArray items)) {
            return null;
        }
        List<Content> content = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof JsonObject c)) {
                return null;
            }
            Content mapped = switch (c.getString("type", "")) {
                case "text" -> new TextContent(c.getString("text", ""));
                case "image" -> new ImageContent(c.getString("data", ""), c.getString("mimeType", "application/octet-stream"));
                case "audio" -> new AudioContent(c.getString("data", ""), c.getString("mimeType", "application/octet-stream"));
                case "resource_link" -> new ResourceLink(c.getString("uri", ""), c.getString("name", c.getString("uri", "")),
                        c.getString("title"), c.getString("description"), c.getString("mimeType"), c.getInteger("size"), null, null);
                case "resource" -> resource(c.getJsonObject("resource"));
                default -> null;
            };
            if (mapped == null) {
                return null;
            }
            content.add(mapped);
        }
        Object structured = result.getValue("structuredContent") instanceof JsonObject s ? s : null;
        return new ToolResponse(result.getBoolean("isError", false), content, structured, null);
    }

    private static Content resource(JsonObject r) {
        if (r == null || r.getString("uri") == null) {
            return null;
        }
        if (r.containsKey("blob")) {
            return new EmbeddedResource(new BlobResourceContents(r.getString("uri"), r.getString("blob"), r.getString("mimeType")));
        }
        return new EmbeddedResource(new TextResourceContents(r.getString("uri"), r.getString("text", ""), r.getString("mimeType")));
    }
}
