package dev.executor.gateway;

import static io.restassured.RestAssured.given;

import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

/**
 * A raw MCP Streamable HTTP client over RestAssured for tests: initialize, then JSON-RPC requests
 * carrying the session id; answers may come as JSON or as an SSE stream.
 */
final class JsonRpc {

    static final String PROTOCOL = "2025-06-18";
    private static final AtomicInteger ids = new AtomicInteger(100);

    final String path;
    final String token;
    String session;

    JsonRpc(String path, String token) {
        this.path = path;
        this.token = token;
    }

    static RequestSpecification spec() {
        return given().contentType("application/json").accept("application/json, text/event-stream");
    }

    JsonRpc initialize() {
        Response r = send(new JsonObject().put("jsonrpc", "2.0").put("id", ids.incrementAndGet()).put("method", "initialize")
                .put("params", new JsonObject().put("protocolVersion", PROTOCOL).put("capabilities", new JsonObject())
                        .put("clientInfo", new JsonObject().put("name", "test").put("version", "1"))));
        if (r.statusCode() != 200) {
            throw new AssertionError("initialize answered " + r.statusCode() + ": " + r.asString());
        }
        session = r.header("Mcp-Session-Id");
        send(new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        return this;
    }

    Response send(JsonObject message) {
        RequestSpecification s = spec();
        if (token != null) {
            s = s.auth().oauth2(token);
        }
        if (session != null) {
            s = s.header("Mcp-Session-Id", session);
        }
        return s.header("MCP-Protocol-Version", PROTOCOL).body(message.encode()).post(path);
    }

    /** The JSON-RPC response to {@code method}: the whole envelope ({@code result} or {@code error}). */
    JsonObject request(String method, JsonObject params) {
        int id = ids.incrementAndGet();
        Response r = send(new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", method).put("params", params));
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " answered " + r.statusCode() + ": " + r.asString());
        }
        return envelope(r, id);
    }

    JsonObject call(String tool, JsonObject arguments) {
        JsonObject response = request("tools/call", new JsonObject().put("name", tool).put("arguments", arguments));
        if (response.containsKey("error")) {
            throw new AssertionError("tools/call " + tool + " failed: " + response.encode());
        }
        return response.getJsonObject("result");
    }

    /** The first text content of a tool result, parsed as JSON. */
    static JsonObject text(JsonObject result) {
        return new JsonObject(result.getJsonArray("content").getJsonObject(0).getString("text"));
    }

    static JsonObject envelope(Response r, int id) {
        String type = r.contentType() == null ? "" : r.contentType();
        String body = r.asString();
        if (!type.startsWith("text/event-stream")) {
            return new JsonObject(body);
        }
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                JsonObject m = new JsonObject(line.substring(5).trim());
                if (Integer.valueOf(id).equals(m.getInteger("id"))) {
                    return m;
                }
            }
        }
        throw new AssertionError("No response with id " + id + " in: " + body);
    }
}
