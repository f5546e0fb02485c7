package dev.executor.catalog.source.mcp;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.UpstreamHttp;

/**
 * MCP Streamable HTTP (protocol 2025-03-26 and later): every message is a POST to the one endpoint;
 * the answer is either {@code application/json} or a {@code text/event-stream} carrying the
 * response. The session id the server hands out on {@code initialize} goes on every later request,
 * and {@link #close} ends the session with a DELETE.
 */
final class StreamableHttpSession extends McpSession {

    private String sessionId;
    private String protocolVersion;

    StreamableHttpSession(URI uri, UpstreamHttp http, ObjectMapper json, Duration timeout, long maxBytes) {
        super(uri, http, json, timeout, maxBytes);
    }

    @Override
    protected JsonNode exchange(ObjectNode message, int id, Instant deadline) throws ImportException {
        String method = message.path("method").asText();
        HttpResponse<InputStream> response = send(post(message));
        if (response.statusCode() == 404 && sessionId != null) {
            discard(response);
            throw new ImportException(ImportException.Kind.UNREACHABLE, "The MCP server at " + uri
                    + " dropped the session while the catalog was listing its tools; refresh the source to retry.");
        }
        checkStatus(response, "an MCP " + method + " request");
        if (sessionId == null) {
            sessionId = response.headers().firstValue("Mcp-Session-Id").orElse(null);
        }
        String type = mediaType(response);
        if (type.startsWith("text/event-stream")) {
            try (SseStream stream = new SseStream(response.body(), maxBytes)) {
                return awaitResponse(stream, id, deadline);
            }
        }
        if (type.startsWith("application/json")) {
            JsonNode answer = matching(readJson(response, deadline), id);
            if (answer == null) {
                throw notMcp("its answer to " + method + " is not a JSON-RPC response");
            }
            return answer;
        }
        discard(response);
        throw notMcp("it answered " + method + " with " + (type.isEmpty() ? "no content type" : "'" + clip(type) + "'")
                + " instead of JSON-RPC");
    }

    @Override
    void notifyServer(String method) throws ImportException {
        ObjectNode message = json.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        HttpResponse<InputStream> response = send(post(message));
        checkStatus(response, "an MCP " + method + " notification");
        discard(response);
    }

    @Override
    protected void negotiated(String version) {
        this.protocolVersion = version;
    }

    private HttpRequest post(ObjectNode message) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(message.toString()));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (protocolVersion != null) {
            b.header("MCP-Protocol-Version", protocolVersion);
        }
        return b.build();
    }

    @Override
    public void close() {
        if (sessionId == null) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Mcp-Session-Id", sessionId).DELETE();
        if (protocolVersion != null) {
            b.header("MCP-Protocol-Version", protocolVersion);
        }
        try {
            discard(send(b.build()));
        } catch (ImportException e) {
            // The listing is done; a server that cannot end the session (405 is allowed) expires it itself.
        }
    }

    @Override
    protected String transportName() {
        return "Streamable HTTP";
    }

    @Override
    protected String hint() {
        return " (Streamable HTTP endpoints usually end in /mcp; a legacy server needs transport \"sse\")";
    }
}
