package dev.executor.catalog.source.mcp;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.UpstreamHttp;

/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05): a GET opens an event stream whose first
 * {@code endpoint} event names the URL to POST messages to; responses arrive on the stream. The
 * message endpoint must be on the server's own origin (a server cannot send the catalog elsewhere).
 * {@link #close} drops the stream, which ends the session.
 */
final class LegacySseSession extends McpSession {

    private SseStream stream;
    private URI endpoint;

    LegacySseSession(URI uri, UpstreamHttp http, ObjectMapper json, Duration timeout, long maxBytes) {
        super(uri, http, json, timeout, maxBytes);
    }

    /** Opens the stream and waits for the {@code endpoint} event. */
    void open() throws ImportException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "text/event-stream").GET().build());
        checkStatus(response, "a GET for its event stream");
        if (!mediaType(response).startsWith("text/event-stream")) {
            discard(response);
            throw notMcp("it answered with '" + clip(mediaType(response)) + "' instead of an event stream");
        }
        stream = new SseStream(response.body(), maxBytes);
        Instant deadline = Instant.now().plus(timeout);
        while (endpoint == null) {
            SseStream.Next next = stream.next(deadline);
            if (next.end() != null) {
                throw notMcp("its event stream named no message endpoint");
            }
            if (next.event().name().equals("endpoint")) {
                URI named;
                try {
                    named = uri.resolve(next.event().data().trim());
                } catch (IllegalArgumentException e) {
                    throw notMcp("its endpoint event is not a URL");
                }
                if (!sameOrigin(uri, named)) {
                    throw new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " named a message endpoint on another origin ("
                            + hostOf(named) + "); the catalog only posts to the server it was given.");
                }
                endpoint = named;
            }
        }
    }

    @Override
    protected JsonNode exchange(ObjectNode message, int id, Instant deadline) throws ImportException {
        String method = message.path("method").asText();
        HttpResponse<InputStream> response = send(post(message));
        checkStatus(response, "an MCP " + method + " request");
        discard(response);
        return awaitResponse(stream, id, deadline);
    }

    @Override
    void notifyServer(String method) throws ImportException {
        HttpResponse<InputStream> response = send(post(json.createObjectNode().put("jsonrpc", "2.0").put("method", method)));
        checkStatus(response, "an MCP " + method + " notification");
        discard(response);
    }

    private HttpRequest post(ObjectNode message) {
        return HttpRequest.newBuilder(endpoint).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message.toString())).build();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }

    @Override
    protected String transportName() {
        return "HTTP+SSE";
    }

    @Override
    protected String hint() {
        return " (legacy SSE endpoints usually end in /sse; a current server needs transport \"streamable_http\")";
    }
}
