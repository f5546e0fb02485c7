package dev.executor.invoker.lane.graphql;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.catalog.v1.GraphqlBinding;
import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.Lane;
import dev.executor.invoker.lane.LaneCall;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;
import dev.executor.invoker.lane.Upstream;
import dev.executor.secrets.v1.Header;
import io.smallrye.mutiny.Uni;

/**
 * The lane of GraphQL tools: POSTs the operation the catalog built for the root field (its
 * selection set already bounded at import) with the arguments as variables, through secrets-proxy.
 * The output is the response's {@code data}; GraphQL {@code errors} without data (or with the root
 * field null) fail the Run with the upstream's messages, and partial data with errors is returned
 * as {@code {data, errors}}.
 */
@ApplicationScoped
public class GraphqlLane implements Lane {

    private final Upstream upstream;
    private final ObjectMapper json;

    public GraphqlLane(Upstream upstream, ObjectMapper json) {
        this.upstream = upstream;
        this.json = json;
    }

    @Override
    public String name() {
        return "graphql";
    }

    @Override
    public Uni<LaneResult> execute(LaneCall call) {
        return Uni.createFrom().deferred(() -> {
            GraphqlBinding binding = call.tool().getLane().getGraphql();
            String base = call.tool().getSource().getBaseUrl();
            String path = binding.getEndpointPath().isBlank() ? "" : binding.getEndpointPath();
            String url = base.endsWith("/") && path.startsWith("/") ? base + path.substring(1) : base + path;
            ObjectNode body = json.createObjectNode();
            body.put("query", binding.getDocument());
            if (!binding.getOperationName().isBlank()) {
                body.put("operationName", binding.getOperationName());
            }
            body.set("variables", call.arguments());
            List<Header> headers = List.of(Header.newBuilder().setName("Content-Type").setValue("application/json").build(),
                    Header.newBuilder().setName("Accept").setValue("application/graphql-response+json, application/json").build());
            return upstream.forward(call, new Upstream.Request("POST", url, headers, body.toString().getBytes(StandardCharsets.UTF_8)));
        }).map(response -> {
            String text = response.getBody().toStringUtf8();
            JsonNode answer;
            try {
                answer = json.readTree(text);
            } catch (Exception e) {
                answer = null;
            }
            if (answer == null || !answer.isObject()) {
                ObjectNode detail = json.createObjectNode().put("upstream_status", String.valueOf(response.getStatus()));
                throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The GraphQL endpoint answered HTTP " + response.getStatus()
                        + " without a GraphQL response.", detail, response.getStatus() >= 502 && response.getStatus() <= 504);
            }
            JsonNode data = answer.get("data");
            JsonNode errors = answer.get("errors");
            boolean hasErrors = errors != null && errors.isArray() && !errors.isEmpty();
            if (response.getStatus() == 401) {
                throw new LaneException(ErrorReasons.NEEDS_REAUTHORIZATION, "The GraphQL endpoint refused the connection's credential "
                        + "(401); an admin must update the connection.");
            }
            boolean empty = data == null || data.isNull() || (data.isObject() && !data.isEmpty()
                    && java.util.stream.StreamSupport.stream(data.spliterator(), false).allMatch(JsonNode::isNull));
            if (empty && (hasErrors || data == null || data.isNull())) {
                ObjectNode detail = json.createObjectNode().put("upstream_status", String.valueOf(response.getStatus()));
                if (hasErrors) {
                    detail.put("graphql_errors", errors.toString());
                }
                throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The GraphQL operation failed: " + (hasErrors
                        ? errors.get(0).path("message").asText("unknown error") : "no data in the response") + ".", detail, false);
            }
            if (hasErrors) {
                ObjectNode partial = json.createObjectNode();
                partial.set("data", data);
                partial.set("errors", errors);
                return LaneResult.of(partial);
            }
            return LaneResult.of(data);
        });
    }
}
