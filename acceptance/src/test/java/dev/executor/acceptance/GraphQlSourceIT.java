package dev.executor.acceptance;

import static dev.executor.acceptance.McpAgent.call;
import static dev.executor.acceptance.McpAgent.text;
import static dev.executor.acceptance.Platform.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;

/**
 * An admin registers a GraphQL API by its endpoint (the catalog introspects a real graphql-java
 * server on loopback) with a connection whose token is a secret reference ({@code file://}, as a
 * mounted Kubernetes Secret); an agent then finds and runs its query
 * over MCP, while its mutation waits for a human like any write.
 */
class GraphQlSourceIT {

    static final String SECRET = "wh-secret-" + UUID.randomUUID();
    static final List<String> authorizations = new CopyOnWriteArrayList<>();
    static final List<String> operations = new CopyOnWriteArrayList<>();
    static Platform platform;
    static HttpServer upstream;

    @BeforeAll
    static void platformAndUpstream() throws IOException {
        platform = Platform.get();
        String sdl = """
                "A place that stores goods"
                type Warehouse { code: String! city: String stock: Int }
                type Query {
                  "Find one warehouse by its code"
                  warehouse(code: String!): Warehouse
                }
                type Mutation {
                  "Add stock to a warehouse"
                  restock(code: String!, amount: Int!): Warehouse
                }
                """;
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .type("Query", t -> t.dataFetcher("warehouse", env -> Map.of("code", env.getArgument("code"), "city", "Berlin", "stock", 7)))
                .type("Mutation", t -> t.dataFetcher("restock", env -> Map.of("code", env.getArgument("code"), "city", "Berlin",
                        "stock", 7 + (int) env.getArgument("amount"))))
                .build();
        GraphQL graphql = GraphQL.newGraphQL(new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring)).build();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/graphql", exchange -> {
            JsonNode request = json(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String query = request.path("query").asText();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!query.contains("__schema")) {
                authorizations.add(auth == null ? "" : auth);
                operations.add(query);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = request.hasNonNull("variables") ? Platform.JSON.convertValue(request.get("variables"), Map.class)
                    : Map.of();
            var result = graphql.execute(ExecutionInput.newExecutionInput(query).variables(variables).build());
            byte[] bytes = Platform.JSON.writeValueAsBytes(result.toSpecification());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    @Test
    void anAdminAddsAGraphQlEndpointAndAnAgentQueriesItWhileItsMutationWaitsForAHuman() throws IOException {
        String admin = platform.userToken("dev", "dev");
        int port = upstream.getAddress().getPort();

        // Given an admin who adds the endpoint (introspected by the catalog) and a connection with its token
        var created = platform.post(platform.url("catalog") + "/api/sources", admin, Map.of("name", "warehouses", "kind", "graphql",
                "scope", "org:acme", "url", "http://127.0.0.1:" + port + "/graphql"));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode source = json(created.body());
        assertEquals(2, source.path("toolCount").asInt(), source.toString());
        List<String> hosts = new ArrayList<>();
        source.get("declaredHosts").forEach(h -> hosts.add(h.asText()));
        // the token is a secret reference, not a value: a file, as a Kubernetes Secret volume delivers it
        Path tokenFile = platform.secretsDir().resolve("warehouses-token");
        Files.createDirectories(tokenFile.getParent());
        Files.writeString(tokenFile, SECRET + "\n");
        var connection = platform.post(platform.url("secrets") + "/api/connections", admin, Map.of("scope", "org:acme",
                "source", "warehouses", "sourceId", source.get("id").asText(), "name", "work", "auth", Map.of("kind", "bearer"),
                "secretRefs", Map.of("token", "file://" + tokenFile), "hosts", hosts,
                "egress", List.of(Map.of("host", "127.0.0.1", "port", port))));
        assertEquals(201, connection.statusCode(), connection.body());
        assertFalse(connection.body().contains(SECRET), "the connection holds the reference, never the value");

        // When an agent searches for it and runs the query (once the catalog has the connection: an event away)
        String mcp = platform.url("gateway") + "/mcp";
        JsonNode out = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(
                () -> McpAgent.run(mcp, platform.agentToken(), List.of(call("search", Map.of("query", "find a warehouse by its code")),
                        call("execute", Map.of("tool", "warehouses.acme.work.query_warehouse", "arguments", Map.of("code", "BER"))))),
                o -> !o.at("/results/1/isError").asBoolean());

        // Then it found the query, got the upstream's answer, and the token reached only the upstream
        assertTrue(text(out.at("/results/0")).contains("warehouses.acme.work.query_warehouse"), text(out.at("/results/0")));
        assertTrue(text(out.at("/results/1")).contains("Berlin"), text(out.at("/results/1")));
        assertTrue(authorizations.contains("Bearer " + SECRET), authorizations.toString());
        assertFalse(out.toString().contains(SECRET));

        // And the mutation, a write, waits for a human without reaching the upstream
        int before = operations.size();
        JsonNode write = McpAgent.run(mcp, platform.agentToken(), List.of(call("execute",
                Map.of("tool", "warehouses.acme.work.mutation_restock", "arguments", Map.of("code", "BER", "amount", 5)))));
        JsonNode pending = json(text(write.at("/results/0")));
        assertEquals("PENDING_APPROVAL", pending.path("status").asText(), pending.toString());
        assertFalse(operations.subList(before, operations.size()).stream().anyMatch(q -> q.contains("restock")), operations.toString());
    }
}
