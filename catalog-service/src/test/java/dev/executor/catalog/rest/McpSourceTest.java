package dev.executor.catalog.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.executor.catalog.FakeInvokerResource;
import dev.executor.catalog.FakePolicyResource;
import dev.executor.catalog.messaging.ConnectionEventListener;
import dev.executor.catalog.source.mcp.McpEverything;
import dev.executor.catalog.v1.AddSourceRequest;
import dev.executor.catalog.v1.CatalogServiceGrpc.CatalogServiceBlockingStub;
import dev.executor.catalog.v1.McpServerConfig;
import dev.executor.catalog.v1.ResolveToolRequest;
import dev.executor.catalog.v1.SearchToolsRequest;
import dev.executor.catalog.v1.SourceStatus;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.contracts.cloudevents.CloudEvent;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionEvent;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.invoker.v1.McpToolListing;
import dev.executor.invoker.v1.ProbeMcpServerResponse;
import dev.executor.testsupport.KafkaResource;
import dev.executor.testsupport.OidcStubResource;
import dev.executor.testsupport.PostgresResource;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * MCP sources through the admin API and gRPC, against the real reference MCP server
 * (server-everything over Streamable HTTP), a server that wants OAuth, a web page, and stdio
 * servers probed through a fake invoker (listed, invoker down, command refused, server failing).
 * Same resources as {@link CatalogApiTest}, so both share one application start.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalogapi"))
@WithTestResource(KafkaResource.class)
@WithTestResource(OidcStubResource.class)
@WithTestResource(FakePolicyResource.class)
@WithTestResource(FakeInvokerResource.class)
class McpSourceTest {

    @GrpcClient("self")
    CatalogServiceBlockingStub grpc;

    @Inject
    ConnectionEventListener connections;

    @BeforeEach
    void ready() {
        FakePolicyResource.reset();
        FakeInvokerResource.reset();
        await().atMost(Duration.ofSeconds(90)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static String admin() {
        return OidcStubResource.tokens().admin();
    }

    @Test
    void importsAStreamableHttpServerAndServesItsToolsInTheMcpLane() {
        // Given the reference server
        String url = McpEverything.streamableHttpUrl();

        // When
        String id = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "everything", "kind", "mcp", "scope", "org:acme", "url", url, "transport", "streamable_http"))
                .post("/api/sources")
                .then().statusCode(201)
                .body("status", equalTo("connected"))
                .body("kind", equalTo("mcp"))
                .body("toolCount", equalTo(McpEverything.TOOL_COUNT))
                .body("declaredHosts", equalTo(List.of("127.0.0.1:" + URI.create(url).getPort())))
                .extract().path("id");

        // Then its tools are searchable and describable
        given().auth().oauth2(admin()).queryParam("q", "sum of two numbers").queryParam("source", "everything").get("/api/tools")
                .then().statusCode(200).body("tools.name", hasItem("get_sum"));
        given().auth().oauth2(admin()).get("/api/tools/everything.get_sum")
                .then().statusCode(200)
                .body("sideEffect", equalTo("read"))
                .body("inputSchema.properties.a.type", equalTo("number"));

        // And over gRPC a caller with a connection finds it and the invoker gets the MCP binding
        connect("everything", id);
        Principal alice = Principal.newBuilder().setSubject("alice").addScopeChain(Scope.newBuilder().setKind("org").setId("acme")).build();
        var found = stub().searchTools(SearchToolsRequest.newBuilder().setPrincipal(alice).setQuery("echo").setSource("everything").build());
        assertEquals("everything.acme.work.echo", found.getTools(0).getAddress());
        var resolved = stub().resolveTool(ResolveToolRequest.newBuilder().setPrincipal(alice).setAddress("everything.acme.work.get_sum").build());
        assertEquals("mcp", resolved.getLane().getLane());
        assertEquals("get-sum", resolved.getLane().getMcp().getUpstreamTool());
        assertEquals(McpServerConfig.newBuilder().setTransport("streamable_http").setUrl(url).build(), resolved.getLane().getMcp().getServer());
        assertEquals("mcp", resolved.getSource().getKind());
    }

    @Test
    void keepsAServerThatWantsOAuthInAuthRequiredSayingWhatItNeeds() throws Exception {
        // Given
        HttpServer server = serve(401, "application/json", "{}", "Bearer realm=\"mcp\", scope=\"tools:read\"");
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";

            // When / Then
            given().auth().oauth2(admin()).contentType(ContentType.JSON)
                    .body(Map.of("name", "locked", "kind", "mcp", "scope", "org:acme", "url", url))
                    .post("/api/sources")
                    .then().statusCode(201)
                    .body("status", equalTo("auth_required"))
                    .body("statusMessage", containsString("answered 401: it needs an OAuth bearer token"))
                    .body("statusMessage", containsString("scopes tools:read"))
                    .body("toolCount", equalTo(0));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void keepsAUrlThatIsNotAnMcpServerInErrorSayingSo() throws Exception {
        // Given a plain web page
        HttpServer server = serve(200, "text/html", "<html>hello</html>", null);
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";

            // When / Then
            given().auth().oauth2(admin()).contentType(ContentType.JSON)
                    .body(Map.of("name", "webpage", "kind", "mcp", "scope", "org:acme", "url", url))
                    .post("/api/sources")
                    .then().statusCode(201)
                    .body("status", equalTo("error"))
                    .body("statusMessage", containsString("is not an MCP server over Streamable HTTP"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void probesAStdioServerThroughTheInvokerAndImportsItsToolsLikeHttpOnes() {
        // Given an invoker that lists two tools for the server
        FakeInvokerResource.answer(ProbeMcpServerResponse.newBuilder().setServerName("mcp-servers/everything")
                .setServerTitle("Everything").setServerVersion("2026.8.31").setProtocolVersion("2025-06-18")
                .addTools(McpToolListing.newBuilder().setName("get-sum").setTitle("Get sum").setDescription("Returns the sum of two numbers.")
                        .setInputSchemaJson("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}}")
                        .setAnnotationsJson("{\"readOnlyHint\":true}"))
                .addTools(McpToolListing.newBuilder().setName("deleteNote").setTitle("Delete a note")
                        .setInputSchemaJson("{\"type\":\"object\"}")
                        .setOutputSchemaJson("{\"type\":\"object\",\"properties\":{\"deleted\":{\"type\":\"boolean\"}}}")
                        .setAnnotationsJson("{\"destructiveHint\":true}"))
                .build());

        // When an admin adds it as a stdio server
        String id = given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "local-tools", "kind", "mcp", "scope", "org:acme", "transport", "stdio", "command", "npx",
                        "args", List.of("-y", McpEverything.PACKAGE, "stdio")))
                .post("/api/sources")
                .then().statusCode(201)
                .body("status", equalTo("connected"))
                .body("toolCount", equalTo(2))
                .body("declaredHosts", equalTo(List.of()))
                .extract().path("id");

        // Then the invoker was asked with this service's token for exactly that command
        var received = FakeInvokerResource.received();
        assertEquals(1, received.size());
        assertEquals(McpServerConfig.newBuilder().setTransport("stdio").setCommand("npx").addArgs("-y").addArgs(McpEverything.PACKAGE)
                .addArgs("stdio").build(), received.get(0).request().getServer());
        assertTrue(received.get(0).authorization().startsWith("Bearer "));

        // And its tools are normalized as HTTP MCP tools are: names, descriptions, schemas, side effects
        given().auth().oauth2(admin()).get("/api/tools/local-tools.get_sum")
                .then().statusCode(200)
                .body("description", equalTo("Returns the sum of two numbers."))
                .body("sideEffect", equalTo("read"))
                .body("inputSchema.properties.a.type", equalTo("number"));
        given().auth().oauth2(admin()).get("/api/tools/local-tools.delete_note")
                .then().statusCode(200)
                .body("description", equalTo("Delete a note"))
                .body("sideEffect", equalTo("destructive"))
                .body("outputSchema.properties.deleted.type", equalTo("boolean"));

        // And the invoker gets a stdio binding when it resolves one
        connect("local-tools", id);
        Principal alice = Principal.newBuilder().setSubject("alice").addScopeChain(Scope.newBuilder().setKind("org").setId("acme")).build();
        var resolved = stub().resolveTool(ResolveToolRequest.newBuilder().setPrincipal(alice).setAddress("local-tools.acme.work.get_sum").build());
        assertEquals("get-sum", resolved.getLane().getMcp().getUpstreamTool());
        assertEquals(McpServerConfig.newBuilder().setTransport("stdio").setCommand("npx").addArgs("-y").addArgs(McpEverything.PACKAGE)
                .addArgs("stdio").build(), resolved.getLane().getMcp().getServer());
    }

    @Test
    void keepsAStdioServerInDraftWhenTheInvokerIsDown() {
        // Given an invoker that does not answer
        FakeInvokerResource.down(true);

        // When an Executor service adds it over gRPC
        var added = stub().addSource(AddSourceRequest.newBuilder().setName("local-everything").setKind("mcp")
                .setScope(Scope.newBuilder().setKind("org").setId("acme"))
                .setMcp(McpServerConfig.newBuilder().setTransport("stdio").setCommand("npx").addArgs("-y").addArgs(McpEverything.PACKAGE))
                .build());

        // Then it is kept, in draft, with no tools and a message saying why
        assertEquals(SourceStatus.DRAFT, added.getSource().getStatus());
        assertEquals(0, added.getSource().getToolCount());
        given().auth().oauth2(admin()).get("/api/sources/" + added.getSource().getId())
                .then().statusCode(200)
                .body("status", equalTo("draft"))
                .body("statusMessage", containsString("probed by the invoker"))
                .body("statusMessage", containsString("could not be reached"));
    }

    @Test
    void keepsAStdioServerInDraftWhenTheInvokerRefusesItsCommand() {
        // Given an invoker whose allow-list does not name the command
        FakeInvokerResource.refuse(Status.PERMISSION_DENIED.withDescription(
                "The executable 'uvx' is not in invoker.mcp.stdio.allowed-commands; an operator must allow it first."), "PERMISSION_DENIED");

        // When
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "refused-tools", "kind", "mcp", "scope", "org:acme", "command", "uvx", "args", List.of("some-server")))
                .post("/api/sources")

                // Then: kept in draft, saying what an operator must do
                .then().statusCode(201)
                .body("status", equalTo("draft"))
                .body("toolCount", equalTo(0))
                .body("statusMessage", containsString("refused to start 'uvx'"))
                .body("statusMessage", containsString("invoker.mcp.stdio.allowed-commands"));
    }

    @Test
    void putsAStdioServerThatFailsUnderTheInvokerInError() {
        // Given an invoker that started the server, which exited
        FakeInvokerResource.refuse(Status.UNAVAILABLE.withDescription("The MCP server 'node' exited with code 1."), "UPSTREAM_ERROR");

        // When
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("name", "broken-tools", "kind", "mcp", "scope", "org:acme", "transport", "stdio", "command", "node",
                        "args", List.of("missing.js")))
                .post("/api/sources")

                // Then: kept in error with the invoker's reason, so an admin can fix it and refresh
                .then().statusCode(201)
                .body("status", equalTo("error"))
                .body("statusMessage", containsString("exited with code 1"));
    }

    private void connect(String source, String sourceId) {
        var created = new ConnectionCreated("conn-" + source, new ConnectionRef(new ScopeRef("org", "acme"), source, "work"), sourceId,
                List.of(), null, Instant.now());
        CloudEvent<ConnectionEvent> event = CloudEvent.of("/executor/secrets-proxy", null, created);
        connections.apply(event).await().indefinitely();
    }

    private static HttpServer serve(int status, String type, String body, String challenge) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", type);
                    if (challenge != null) {
                        exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
                    }
                    exchange.sendResponseHeaders(status, bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CatalogServiceBlockingStub stub() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + OidcStubResource.tokens().service("mcp-gateway"));
        return grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
