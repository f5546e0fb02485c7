package dev.executor.invoker.lane.mcp;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;
import dev.executor.invoker.lane.LaneResult;

/** JSON-RPC 2.0 messages of the MCP client, shared by both transports. */
final class JsonRpc {

    static final String CLIENT_NAME = "executor-invoker";
    static final String CLIENT_VERSION = "0.1.0";

    private JsonRpc() {
    }

    static ObjectNode request(ObjectMapper mapper, long id, String method, JsonNode params) {
        ObjectNode message = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        return message;
    }

    static ObjectNode notification(ObjectMapper mapper, String method, JsonNode params) {
        ObjectNode message = mapper.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        return message;
    }

    /** {@code initialize} params: no client capabilities (no sampling, roots or elicitation). */
    static ObjectNode initializeParams(ObjectMapper mapper, String protocolVersion) {
        ObjectNode params = mapper.createObjectNode().put("protocolVersion", protocolVersion);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", CLIENT_NAME).put("version", CLIENT_VERSION);
        return params;
    }

    static ObjectNode toolsCallParams(ObjectMapper mapper, String tool, ObjectNode arguments) {
        ObjectNode params = mapper.createObjectNode().put("name", tool);
        params.set("arguments", arguments == null ? mapper.createObjectNode() : arguments);
        return params;
    }

    static ObjectNode cancelledParams(ObjectMapper mapper, long requestId, String reason) {
        return mapper.createObjectNode().put("requestId", requestId).put("reason", reason);
    }

    /** Whether {@code message} is the response (result or error) to request {@code id}. */
    static boolean isResponseTo(JsonNode message, long id) {
        if (message == null || !message.isObject() || message.has("method")) {
            return false;
        }
        JsonNode messageId = message.get("id");
        if (messageId == null || !(message.has("result") || message.has("error"))) {
            return false;
        }
        return messageId.isIntegralNumber() ? messageId.asLong() == id : messageId.asText().equals(Long.toString(id));
    }

    /** The response to {@code id} in a body holding one message or a batch, or null. */
    static JsonNode findResponse(JsonNode body, long id) {
        if (body != null && body.isArray()) {
            for (JsonNode element : body) {
                if (isResponseTo(element, id)) {
                    return element;
                }
            }
            return null;
        }
        return isResponseTo(body, id) ? body : null;
    }

    /** The {@code result} of a response, or a {@code UPSTREAM_ERROR} for a JSON-RPC error. */
    static JsonNode result(JsonNode response, String method, String server) {
        JsonNode error = response.get("error");
        if (error != null && !error.isNull()) {
            ObjectNode detail = new ObjectMapper().createObjectNode();
            detail.set("code", error.path("code"));
            detail.put("message", error.path("message").asText(""));
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + server + " answered " + method + " with error "
                    + error.path("code").asText("?") + ": " + error.path("message").asText(""), detail, false);
        }
        JsonNode result = response.get("result");
        if (result == null || !result.isObject()) {
            throw new LaneException(ErrorReasons.UPSTREAM_ERROR, "The MCP server " + server + " answered " + method + " without a result object.");
        }
        return result;
    }

    /** A {@code CallToolResult} as the lane's result: {@code isError: true} is a tool error. */
    static LaneResult toolResult(JsonNode callToolResult) {
        return new LaneResult(callToolResult, callToolResult.path("isError").asBoolean(false));
    }

    /**
     * The {@code data} of each event of a {@code text/event-stream} body, in order (multi-line data
     * joined with {@code \n}, as the SSE spec says).
     */
    static List<String> sseData(String body) {
        List<String> events = new ArrayList<>();
        StringBuilder data = null;
        int i = 0;
        int n = body.length();
        while (i <= n) {
            int end = i;
            while (end < n && body.charAt(end) != '\n' && body.charAt(end) != '\r') {
                end++;
            }
            String line = body.substring(i, end);
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(data.toString());
                    data = null;
                }
            } else if (line.startsWith("data")) {
                String value = line.length() > 4 && line.charAt(4) == ':' ? line.substring(5) : line.equals("data") ? "" : null;
                if (value != null) {
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            if (end >= n) {
                break;
            }
            i = end + (body.charAt(end) == '\r' && end + 1 < n && body.charAt(end + 1) == '\n' ? 2 : 1);
        }
        if (data != null) {
            events.add(data.toString());
        }
        return events;
    }
}
