package dev.executor.invoker.lane.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.common.v1.ConnectionRef;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.lane.Upstream;
import dev.executor.secrets.v1.Header;
import io.smallrye.mutiny.Uni;

/**
 * MCP client over Streamable HTTP (spec 2025-06-18): one POST per JSON-RPC message, answers as
 * {@code application/json} or a {@code text/event-stream} that carries the response.
 *
 * <p>Sessions are pooled per (connection, server URL): {@code initialize} and
 * {@code notifications/initialized} run once, concurrent first calls wait for the same handshake,
 * and later calls send the cached {@code Mcp-Session-Id} and the negotiated
 * {@code MCP-Protocol-Version}. When the server no longer knows the session (HTTP 404, or a 400
 * naming the session, which some servers send) the session is initialized again and the call
 * retried once. Thread-safe.
 */
final class StreamableHttpClient {

    private static final Logger LOG = Logger.getLogger(StreamableHttpClient.class);
    private static final int ERROR_BODY_CHARS = 1000;

    private record SessionKey(ConnectionRef connection, String url) {
    }

    /** One initialized session; {@code id} is null for a server that keeps none. */
    record Session(String id, String protocolVersion) {
    }

    /** The server does not know the session any more. */
    private static final class SessionLost extends RuntimeException {
        final transient Session session;

        SessionLost(Session session) {
            super("session lost", null, false, false);
            this.session = session;
        }
    }

    private final McpHttp http;
    private final ObjectMapper mapper;
    private final String protocolVersion;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<SessionKey, CompletableFuture<Session>> sessions = new ConcurrentHashMap<>();

    StreamableHttpClient(McpHttp http, ObjectMapper mapper, String protocolVersion) {
        this.http = http;
        this.mapper = mapper;
        this.protocolVersion = protocolVersion;
    }

    /** {@code tools/call} of {@code tool} with the call's arguments, within {@code timeout}. */
    Uni<LaneResult> callTool(LaneCall call, String url, String tool, Duration timeout) {
        SessionKey key = new SessionKey(call.tool().getConnection(), url);
        long id = ids.incrementAndGet();
        byte[] body = bytes(JsonRpc.request(mapper, id, "tools/call", JsonRpc.toolsCallParams(mapper, tool, call.arguments())));
        AtomicReference<Session> sentWith = new AtomicReference<>();
        return session(call, key)
                .flatMap(session -> {
                    sentWith.set(session);
                    return post(call, url, session, body, id);
                })
                .onFailure(SessionLost.class).recoverWithUni(lost -> {
                    invalidate(key, ((SessionLost) lost).session);
                    LOG.debugf("run %s: MCP session at %s lost; initializing again", call.runId(), url);
                    return session(call, key).flatMap(session -> {
                        sentWith.set(session);
                        return post(call, url, session, body, id);
                    });
                })
                .onFailure(SessionLost.class).transform(lost -> new LaneException(ErrorReasons.UPSTREAM_ERROR,
                        "The MCP server at " + url + " dropped a session it had just created.", null, true))
                .map(response -> JsonRpc.toolResult(JsonRpc.result(response, "tools/call", url)))
                .ifNoItem().after(timeout).failWith(() -> new LaneException(ErrorReasons.UPSTREAM_TIMEOUT,
                        "The MCP server at " + url + " did not answer tools/call within " + timeout.toMillis() + " ms."))
                .onFailure(f -> f instanceof LaneException e && ErrorReasons.UPSTREAM_TIMEOUT.equals(e.reason()))
                .invoke(() -> cancelUpstream(call, url, sentWith.get(), id, "timeout"))
                .onCancellation().invoke(() -> cancelUpstream(call, url, sentWith.get(), id, "cancelled by the caller"));
    }

    private Uni<Session> session(LaneCall call, SessionKey key) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Session> fresh = new CompletableFuture<>();
            CompletableFuture<Session> existing = sessions.putIfAbsent(key, fresh);
            if (existing != null) {
                // A dependent copy: cancelling this caller must not cancel the shared handshake.
                return Uni.createFrom().completionStage(existing.copy()).onFailure(CompletionException.class).transform(Throwable::getCause);
            }
            // The handshake outlives the call that started it, so a caller timing out does not
            // leave the others waiting on a cancelled exchange.
            initialize(call, key.url()).subscribe().with(fresh::complete, failure -> {
                sessions.remove(key, fresh);
                fresh.completeExceptionally(failure);
            });
            return Uni.createFrom().completionStage(fresh.copy()).onFailure(CompletionException.class).transform(Throwable::getCause);
        });
    }

    private void invalidate(SessionKey key, Session lost) {
        sessions.computeIfPresent(key, (k, f) -> f.isDone() && !f.isCompletedExceptionally() && f.join() == lost ? null : f);
    }

    private Uni<Session> initialize(LaneCall call, String url) {
        long id = ids.incrementAndGet();
        byte[] body = bytes(JsonRpc.request(mapper, id, "initialize", JsonRpc.initializeParams(mapper, protocolVersion)));
        return http.send(call, new Upstream.Request("POST", url, headers(call, null), body)).flatMap(reply -> {
            checkStatus(reply, url, null);
            JsonNode result = JsonRpc.result(parseResponse(reply, id, url), "initialize", url);
            String negotiated = result.path("protocolVersion").asText(protocolVersion);
            Session session = new Session(reply.header("Mcp-Session-Id"), negotiated);
            byte[] initialized = bytes(JsonRpc.notification(mapper, "notifications/initialized", null));
            return http.send(call, new Upstream.Request("POST", url, headers(call, session), initialized)).map(ack -> {
                checkStatus(ack, url, null);
                LOG.debugf("run %s: MCP session at %s initialized (protocol %s, %s)", call.runId(), url, negotiated,
                        session.id() == null ? "stateless" : "with session id");
                return session;
            });
        });
    }

    private Uni<JsonNode> post(LaneCall call, String url, Session session, byte[] body, long id) {
        return http.send(call, new Upstream.Request("POST", url, headers(call, session), body)).map(reply -> {
            checkStatus(reply, url, session);
            return parseResponse(reply, id, url);
        });
    }

    private void cancelUpstream(LaneCall call, String url, Session session, long id, String reason) {
        if (session == null) {
            return; // the request was never sent
        }
        byte[] body = bytes(JsonRpc.notification(mapper, "notifications/cancelled", JsonRpc.cancelledParams(mapper, id, reason)));
        LaneCall shortCall = new LaneCall(call.runId(), call.tool(), call.arguments(), call.principal(), Duration.ofSeconds(5),
                call.traceParent());
        http.send(shortCall, new Upstream.Request("POST", url, headers(call, session), body)).subscribe().with(
                ignored -> {
                },
                failure -> LOG.debugf("run %s: could not send notifications/cancelled to %s: %s", call.runId(), url, failure.getMessage()));
    }

    private static List<Header> headers(LaneCall call, Session session) {
        List<Header> headers = new ArrayList<>(5);
        headers.add(header("Content-Type", "application/json"));
        headers.add(header("Accept", "application/json, text/event-stream"));
        if (session != null) {
            if (session.id() != null) {
                headers.add(header("Mcp-Session-Id", session.id()));
            }
            headers.add(header("MCP-Protocol-Version", session.protocolVersion()));
        }
        if (call.traceParent() != null && !call.traceParent().isBlank()) {
            headers.add(header("traceparent", call.traceParent()));
        }
        return headers;
    }

    private static Header header(String name, String value) {
        return Header.newBuilder().setName(name).setValue(value).build();
    }

    /** Maps an HTTP error status; {@code session} non-null means a 404 (or 400 naming the session) is a lost session. */
    private static void checkStatus(McpHttp.Reply reply, String url, Session session) {
        int status = reply.status();
        if (status >= 200 && status < 300) {
            return;
        }
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        if (session != null && session.id() != null
                && (status == 404 || (status == 400 && text.toLowerCase(Locale.ROOT).contains("session")))) {
            throw new SessionLost(session);
        }
        ObjectNode detail = new ObjectMapper().createObjectNode().put("status", status)
                .put("body", text.length() > ERROR_BODY_CHARS ? text.substring(0, ERROR_BODY_CHARS) : text);
        if (status == 401) {
            throw new LaneException(ErrorReasons.NEEDS_REAUTHORIZATION,
                    "The MCP server at " + url + " rejected the connection's credential (HTTP 401); it must be re-authorized.", detail, false);
        }
        boolean retryable = status == 429 || status == 502 || status == 503 || status == 504;
        throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server at " + url + " answered HTTP " + status + ".", detail, retryable);
    }

    private JsonNode parseResponse(McpHttp.Reply reply, long id, String url) {
        String contentType = reply.header("Content-Type");
        String body = new String(reply.body(), StandardCharsets.UTF_8);
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            for (String data : JsonRpc.sseData(body)) {
                if (data.isBlank()) {
                    continue;
                }
                JsonNode response = JsonRpc.findResponse(readOrNull(data), id);
                if (response != null) {
                    return response;
                }
            }
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server at " + url + " closed its event stream without answering.");
        }
        JsonNode message = readOrNull(body);
        if (message == null) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server at " + url + " answered with something that is not JSON"
                    + (contentType == null ? "." : " (" + contentType + ")."));
        }
        JsonNode response = JsonRpc.findResponse(message, id);
        if (response == null) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server at " + url + " answered without the response to request " + id + ".");
        }
        return response;
    }

    private JsonNode readOrNull(String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private byte[] bytes(JsonNode message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new LaneException(ErrorReasons.INTERNAL, "Could not write a JSON-RPC message.");
        }
    }
}
