package dev.executor.invoker.lane.mcp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.Upstream;
import dev.executor.secrets.v1.Header;
import io.smallrye.mutiny.Uni;

/**
 * The HTTP hop for tests: sends straight to the (loopback) MCP server with the JDK client instead
 * of through secrets-proxy, and records what was sent so tests can check the protocol headers.
 */
final class DirectMcpHttp implements McpHttp {

    /** One request as sent: its headers and its JSON-RPC method. */
    record Sent(Map<String, String> headers, String method) {
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    /** The Content-Type of each answer, in order. */
    final List<String> answerTypes = new CopyOnWriteArrayList<>();

    @Override
    public Uni<Reply> send(LaneCall call, Upstream.Request request) {
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(request.url()))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        if (call.timeout() != null) {
            http.timeout(call.timeout());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : request.headers()) {
            http.header(h.getName(), h.getValue());
            headers.put(h.getName().toLowerCase(Locale.ROOT), h.getValue());
        }
        String method = null;
        try {
            JsonNode body = McpTestSupport.MAPPER.readTree(request.body());
            method = body.path("method").asText(null);
        } catch (IOException e) {
            // not JSON: recorded without a method
        }
        sent.add(new Sent(headers, method));
        return Uni.createFrom().completionStage(() -> client.sendAsync(http.build(), HttpResponse.BodyHandlers.ofByteArray()))
                .map(response -> {
                    List<Header> replyHeaders = new ArrayList<>();
                    response.headers().map().forEach((name, values) -> values
                            .forEach(v -> replyHeaders.add(Header.newBuilder().setName(name).setValue(v).build())));
                    answerTypes.add(response.headers().firstValue("content-type").orElse(""));
                    return new Reply(response.statusCode(), replyHeaders, response.body());
                })
                .onFailure(IOException.class).transform(e -> new LaneException(ErrorReasons.UPSTREAM_ERROR,
                        "Could not reach " + request.url() + ": " + e.getMessage(), null, true));
    }

    long count(String method) {
        return sent.stream().filter(s -> method.equals(s.method())).count();
    }
}
