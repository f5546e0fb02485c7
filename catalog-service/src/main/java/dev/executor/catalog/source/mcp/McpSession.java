package dev.executor.catalog.source.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.ImportException.Kind;
import dev.executor.catalog.source.UpstreamHttp;

/**
 * A short-lived MCP client session over one of the HTTP transports: {@code initialize}, a few
 * requests, {@code close}. Just enough JSON-RPC for the catalog to list a server's tools; the
 * invoker owns calling them. Blocking; one thread; every wait has a deadline.
 */
abstract class McpSession implements AutoCloseable {

    /** What the catalog offers when it initializes; servers answer with the version they speak. */
    static final String PROTOCOL_VERSION = "2025-06-18";

    protected final URI uri;
    protected final UpstreamHttp http;
    protected final ObjectMapper json;
    protected final Duration timeout;
    protected final long maxBytes;
    private int nextId = 1;

    McpSession(URI uri, UpstreamHttp http, ObjectMapper json, Duration timeout, long maxBytes) {
        this.uri = uri;
        this.http = http;
        this.json = json;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** Sends the {@code initialize} request and the {@code initialized} notification; returns the server's result. */
    JsonNode initialize() throws ImportException {
        ObjectNode params = json.createObjectNode().put("protocolVersion", PROTOCOL_VERSION);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "executor-catalog").put("version", "1");
        JsonNode result = request("initialize", params);
        if (!result.isObject() || !result.path("protocolVersion").isTextual()) {
            throw notMcp("its initialize answer has no protocolVersion");
        }
        negotiated(result.path("protocolVersion").asText());
        notifyServer("notifications/initialized");
        return result;
    }

    /** Sends a request and returns its {@code result}; a JSON-RPC error becomes an {@link ImportException}. */
    JsonNode request(String method, ObjectNode params) throws ImportException {
        int id = nextId++;
        ObjectNode message = json.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        JsonNode response = exchange(message, id, Instant.now().plus(timeout));
        if (response.has("error")) {
            JsonNode error = response.get("error");
            throw new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " refused " + method + ": "
                    + clip(error.path("message").asText("no message")) + " (JSON-RPC error " + error.path("code").asText("?") + ").");
        }
        return response.path("result");
    }

    /** Sends a notification; the answer carries nothing. */
    abstract void notifyServer(String method) throws ImportException;

    /** Sends {@code message} and waits for the response with {@code id}. */
    protected abstract JsonNode exchange(ObjectNode message, int id, Instant deadline) throws ImportException;

    /** The protocol version the server chose, sent on later requests where the transport wants it. */
    protected void negotiated(String version) {
    }

    @Override
    public abstract void close();

    // ---- shared HTTP plumbing -----------------------------------------------------------------

    protected HttpResponse<InputStream> send(HttpRequest request) throws ImportException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new ImportException(Kind.UNREACHABLE, "Timed out connecting to " + hostOf(uri) + " after " + timeout.toSeconds()
                    + " s; check the URL and that the MCP server is reachable from the catalog.");
        } catch (HttpTimeoutException e) {
            throw new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " did not answer within " + timeout.toSeconds() + " s.");
        } catch (ConnectException e) {
            throw new ImportException(Kind.UNREACHABLE, "Cannot connect to " + hostOf(uri) + " (connection refused or host unknown); check the URL.");
        } catch (IOException e) {
            throw new ImportException(Kind.UNREACHABLE, "Cannot reach the MCP server at " + uri + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + clip(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportException(Kind.UNREACHABLE, "Interrupted while talking to " + uri + ".");
        }
    }

    /** 401/403 → AUTH_REQUIRED with what the server asked for; any other 4xx/5xx → not (this kind of) MCP server. */
    protected void checkStatus(HttpResponse<InputStream> response, String what) throws ImportException {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            discard(response);
            throw AuthChallenge.describe(uri, status, challenge, http, json, timeout);
        }
        if (status >= 400) {
            discard(response);
            throw notMcp("it answered HTTP " + status + " to " + what);
        }
    }

    /** Reads a whole JSON body within the size limit and the deadline. */
    protected JsonNode readJson(HttpResponse<InputStream> response, Instant deadline) throws ImportException {
        byte[] bytes = readBounded(response.body(), deadline);
        try {
            return json.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw notMcp("its answer is not JSON");
        }
    }

    private byte[] readBounded(InputStream in, Instant deadline) throws ImportException {
        ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<byte[]> bytes = reader.submit(() -> in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)));
            long wait = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
            byte[] out = bytes.get(wait, TimeUnit.MILLISECONDS);
            if (out.length > maxBytes) {
                throw new ImportException(Kind.TOO_LARGE, "The MCP server at " + uri + " answered with more than " + maxBytes / (1024 * 1024)
                        + " MB (catalog.import.max-document-bytes).");
            }
            return out;
        } catch (TimeoutException e) {
            throw new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " did not finish its answer within " + timeout.toSeconds() + " s.");
        } catch (ExecutionException e) {
            throw new ImportException(Kind.UNREACHABLE, "Reading the answer of " + uri + " failed: " + clip(String.valueOf(e.getCause().getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportException(Kind.UNREACHABLE, "Interrupted while reading " + uri + ".");
        } finally {
            try {
                in.close();
            } catch (IOException e) {
                // already failed or done
            }
            reader.shutdownNow();
        }
    }

    /** Waits on an SSE stream for the JSON-RPC response with {@code id}, skipping notifications and server requests. */
    protected JsonNode awaitResponse(SseStream stream, int id, Instant deadline) throws ImportException {
        while (true) {
            SseStream.Next next = stream.next(deadline);
            if (next.end() != null) {
                throw switch (next.end()) {
                    case TIMEOUT -> new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " did not answer within "
                            + timeout.toSeconds() + " s.");
                    case TOO_LARGE -> new ImportException(Kind.TOO_LARGE, "The MCP server at " + uri + " sent more than "
                            + maxBytes / (1024 * 1024) + " MB (catalog.import.max-document-bytes).");
                    default -> new ImportException(Kind.UNREACHABLE, "The MCP server at " + uri + " closed its event stream without answering.");
                };
            }
            if (!next.event().name().equals("message")) {
                continue;
            }
            JsonNode message;
            try {
                message = json.readTree(next.event().data());
            } catch (JsonProcessingException e) {
                throw notMcp("it sent an event that is not JSON-RPC");
            }
            JsonNode match = matching(message, id);
            if (match != null) {
                return match;
            }
        }
    }

    /** The response with {@code id} in a message or batch, or null. */
    protected static JsonNode matching(JsonNode message, int id) {
        if (message.isArray()) {
            for (JsonNode m : message) {
                JsonNode hit = matching(m, id);
                if (hit != null) {
                    return hit;
                }
            }
            return null;
        }
        boolean response = message.has("result") || message.has("error");
        return response && message.path("id").asText("").equals(String.valueOf(id)) ? message : null;
    }

    protected ImportException notMcp(String why) {
        return new ImportException(Kind.UNREACHABLE, uri + " is not an MCP server over " + transportName() + ": " + why
                + ". Check the URL" + hint() + ".");
    }

    protected abstract String transportName();

    protected abstract String hint();

    protected static void discard(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // nothing to read
        }
    }

    static String hostOf(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    static String clip(String s) {
        String flat = s.replaceAll("[\\p{Cntrl}]", " ").trim();
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }

    static String mediaType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    }
}
