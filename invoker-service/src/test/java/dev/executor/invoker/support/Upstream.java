package dev.executor.invoker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;

/**
 * Real upstreams on loopback: an HTTP API that echoes what it received (as an OpenAPI operation
 * would see it), a few misbehaving routes, and a GraphQL endpoint served by graphql-java.
 */
public final class Upstream {

    /** One request as the upstream saw it. */
    public record Seen(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Upstream instance;

    private final HttpServer server;
    public final List<Seen> seen = new CopyOnWriteArrayList<>();

    private Upstream() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::echo);
        server.createContext("/slow", exchange -> {
            record(exchange);
            sleep(5000);
            send(exchange, 200, "application/json", "{}");
        });
        server.createContext("/pause", exchange -> {
            record(exchange);
            sleep(100);
            send(exchange, 200, "application/json", "{\"ok\":true}");
        });
        server.createContext("/big", exchange -> {
            record(exchange);
            StringBuilder sb = new StringBuilder("{\"items\":[");
            for (int i = 0; i < 4000; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"item number ").append(i).append("\"}");
            }
            send(exchange, 200, "application/json", sb.append("]}").toString());
        });
        server.createContext("/unavailable", exchange -> {
            record(exchange);
            send(exchange, 503, "application/json", "{\"message\":\"try later\"}");
        });
        server.createContext("/missing", exchange -> {
            record(exchange);
            send(exchange, 404, "application/json", "{\"message\":\"Not Found\"}");
        });
        GraphQL graphql = graphql();
        server.createContext("/graphql", exchange -> {
            Seen s = record(exchange);
            var body = JSON.readTree(s.body());
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = body.has("variables") ? JSON.convertValue(body.get("variables"), Map.class) : Map.of();
            var result = graphql.execute(ExecutionInput.newExecutionInput().query(body.path("query").asText())
                    .operationName(body.path("operationName").asText(null)).variables(variables).build());
            send(exchange, 200, "application/json", JSON.writeValueAsString(result.toSpecification()));
        });
        server.start();
    }

    public static synchronized Upstream get() {
        if (instance == null) {
            instance = new Upstream();
        }
        return instance;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests that reached {@code pathPrefix}. */
    public List<Seen> seen(String pathPrefix) {
        return seen.stream().filter(s -> s.rawPath().startsWith(pathPrefix)).toList();
    }

    private void echo(HttpExchange exchange) throws IOException {
        Seen s = record(exchange);
        ObjectNode out = JSON.createObjectNode().put("method", s.method()).put("path", s.rawPath()).put("query", s.rawQuery())
                .put("body", s.body());
        out.set("headers", JSON.valueToTree(s.headers()));
        send(exchange, 200, "application/json", out.toString());
    }

    private Seen record(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Seen s = new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                Map.copyOf(exchange.getRequestHeaders()), body);
        seen.add(s);
        return s;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static GraphQL graphql() {
        String sdl = """
                type Query {
                  greeting(name: String!): Greeting
                  broken: String
                }
                type Greeting { text: String, length: Int }
                """;
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .type("Query", t -> t.dataFetcher("greeting", env -> {
                    String text = "Hello, " + env.getArgument("name") + "!";
                    return Map.of("text", text, "length", text.length());
                }).dataFetcher("broken", env -> {
                    throw new IllegalStateException("the resolver broke");
                }))
                .build();
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
        return GraphQL.newGraphQL(schema).build();
    }
}
