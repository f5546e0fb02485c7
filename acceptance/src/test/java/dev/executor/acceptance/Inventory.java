package dev.executor.acceptance;

import static dev.executor.acceptance.Platform.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/**
 * A real API on loopback (an inventory service with an OpenAPI document), registered once per
 * suite the way an admin does it: the source in the catalog, a connection with a secret in
 * secrets-proxy (egress to loopback allowed by an explicit rule), and a policy blocking deletes.
 */
public final class Inventory {

    public static final String SECRET = "inv-secret-" + UUID.randomUUID();
    public static final List<String> authorizations = new CopyOnWriteArrayList<>();
    public static final List<String> requests = new CopyOnWriteArrayList<>();
    /** Every POST body the upstream received, in order. */
    public static final List<String> postBodies = new CopyOnWriteArrayList<>();
    private static HttpServer upstream;
    public static JsonNode source;
    public static JsonNode connection;
    public static JsonNode policy;

    private Inventory() {
    }

    public static synchronized void ensure(Platform platform) {
        if (upstream != null) {
            return;
        }
        start();
        String admin = platform.userToken("dev", "dev");
        var created = platform.post(platform.url("catalog") + "/api/sources", admin,
                Map.of("name", "inventory", "kind", "openapi", "scope", "org:acme", "document", openapi()));
        check(created.statusCode() == 201, "source: " + created.statusCode() + " " + created.body());
        source = json(created.body());
        List<String> hosts = new ArrayList<>();
        source.get("declaredHosts").forEach(h -> hosts.add(h.asText()));
        var conn = platform.post(platform.url("secrets") + "/api/connections", admin, Map.of(
                "scope", "org:acme", "source", "inventory", "sourceId", source.get("id").asText(), "name", "work",
                "auth", Map.of("kind", "bearer"), "secretValues", Map.of("token", SECRET), "hosts", hosts,
                "egress", List.of(Map.of("host", "127.0.0.1", "port", upstream.getAddress().getPort()))));
        check(conn.statusCode() == 201, "connection: " + conn.statusCode() + " " + conn.body());
        connection = json(conn.body());
        var pol = platform.post(platform.url("policy") + "/api/policies", admin, Map.of("scope", "org:acme", "attachedKind", "source",
                "attachedId", "inventory", "toolGlob", "delete_*", "verdict", "block"));
        check(pol.statusCode() == 201, "policy: " + pol.statusCode() + " " + pol.body());
        policy = json(pol.body());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("Setting up the inventory API failed: " + what);
        }
    }

    private static void start() {
        try {
            upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        upstream.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST")) {
                postBodies.add(body);
            }
            String answer = exchange.getRequestMethod().equals("POST")
                    ? "{\"id\":\"new\",\"created\":" + (body.isBlank() ? "null" : body) + "}"
                    : "{\"id\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\",\"name\":\"Widget\"}";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        upstream.start();
    }

    static String openapi() {
        return """
                {"openapi":"3.0.3","info":{"title":"Inventory","version":"1"},
                 "servers":[{"url":"http://127.0.0.1:%d"}],
                 "components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},
                 "security":[{"bearer":[]}],
                 "paths":{
                  "/items/{id}":{
                   "get":{"operationId":"getItem","summary":"Get one inventory item by its id",
                    "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
                    "responses":{"200":{"description":"the item","content":{"application/json":{"schema":
                      {"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"}}}}}}}},
                   "delete":{"operationId":"deleteItem","summary":"Delete an inventory item",
                    "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
                    "responses":{"204":{"description":"gone"}}}},
                  "/items":{
                   "post":{"operationId":"createItem","summary":"Create an inventory item",
                    "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object",
                      "properties":{"name":{"type":"string"},"quantity":{"type":"integer"}},"required":["name"]}}}},
                    "responses":{"201":{"description":"created"}}}}}}
                """.formatted(upstream.getAddress().getPort());
    }
}
