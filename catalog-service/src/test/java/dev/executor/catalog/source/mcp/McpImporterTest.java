package dev.executor.catalog.source.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolBinding;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.UpstreamHttp;
import dev.executor.invoker.v1.McpToolListing;
import dev.executor.invoker.v1.ProbeMcpServerResponse;

/**
 * MCP sources against the real reference server (server-everything, Streamable HTTP and legacy SSE)
 * and against small HTTP servers playing a paging MCP server, an OAuth-protected one and things
 * that are not MCP servers at all.
 */
class McpImporterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final McpImporter importer = new McpImporter(new UpstreamHttp(Duration.ofSeconds(5)), JSON, Duration.ofSeconds(15),
            32L * 1024 * 1024);
    private HttpServer fake;

    @AfterEach
    void stopFake() {
        if (fake != null) {
            fake.stop(0);
        }
    }

    @Test
    void importsEveryToolOfTheReferenceServerOverStreamableHttp() throws Exception {
        // Given
        String url = McpEverything.streamableHttpUrl();

        // When
        Manifest m = importer.importSource(mcp("streamable_http", url));

        // Then
        assertEquals(McpEverything.TOOL_COUNT, m.tools().size(), names(m).toString());
        assertEquals(List.of("127.0.0.1:" + java.net.URI.create(url).getPort()), m.declaredHosts());
        assertEquals(url, m.baseUrl());
        assertEquals("mcp", m.kind());
        assertEquals(List.of(), m.warnings());
        Map<String, ToolDefinition> byName = m.tools().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
        ToolDefinition sum = byName.get("get_sum");
        assertEquals(SideEffect.READ, sum.sideEffect());
        assertEquals(List.of("a", "b"), iterator(sum.inputSchema().path("properties").fieldNames()));
        assertEquals(new ToolBinding.Mcp("streamable_http", url, null, List.of(), "get-sum"), sum.binding());
        assertEquals("get-sum", sum.labels().get("mcp_name"));
        assertTrue(!sum.description().isBlank());
        assertNull(sum.outputSchema());
        assertEquals(SideEffect.WRITE, byName.get("toggle_simulated_logging").sideEffect());
        assertEquals("object", byName.get("get_structured_content").outputSchema().path("type").asText());
    }

    @Test
    void importsTheSameToolsOverLegacySse() throws Exception {
        // Given
        String url = McpEverything.sseUrl();

        // When
        Manifest m = importer.importSource(mcp("sse", url));

        // Then
        assertEquals(McpEverything.TOOL_COUNT, m.tools().size(), names(m).toString());
        assertTrue(names(m).contains("get_sum"));
        assertEquals("sse", ((ToolBinding.Mcp) m.tools().get(0).binding()).transport());
    }

    @Test
    void followsEveryToolsListPageAndMapsAnnotationsToSideEffects() throws Exception {
        // Given a server answering in plain JSON, over two pages
        List<String> methods = new CopyOnWriteArrayList<>();
        String url = serve(exchange -> {
            if (!exchange.getRequestMethod().equals("POST")) {
                respond(exchange, 405, "text/plain", "");
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String method = request.path("method").asText();
            methods.add(method + (request.path("params").has("cursor") ? ":" + request.path("params").path("cursor").asText() : ""));
            String result = switch (method) {
                case "initialize" -> "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"pager\"}}";
                case "tools/list" -> request.path("params").has("cursor")
                        ? "{\"tools\":[{\"name\":\"dropTable\",\"description\":\"Drops a table\",\"inputSchema\":{\"type\":\"object\"},"
                                + "\"annotations\":{\"destructiveHint\":true}},{\"name\":\"a_b\",\"inputSchema\":{\"type\":\"object\"}}]}"
                        : "{\"tools\":[{\"name\":\"listRows\",\"description\":\"Lists rows\",\"inputSchema\":{\"type\":\"object\","
                                + "\"properties\":{\"table\":{\"type\":\"string\"}}},\"annotations\":{\"readOnlyHint\":true}},"
                                + "{\"name\":\"insertRow\",\"title\":\"Insert a row\"},{\"name\":\"a-b\",\"inputSchema\":{\"type\":\"object\"}}],"
                                + "\"nextCursor\":\"page2\"}";
                default -> null;
            };
            if (result == null) {
                respond(exchange, 202, "text/plain", "");
            } else {
                respond(exchange, 200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"result\":" + result + "}");
            }
        });

        // When
        Manifest m = importer.importSource(mcp("", url));

        // Then every page was asked for and every tool normalized
        assertEquals(List.of("initialize", "notifications/initialized", "tools/list", "tools/list:page2"), methods);
        assertEquals(List.of("list_rows", "insert_row", "a_b", "drop_table", "a_b_2"), names(m));
        assertEquals(List.of(SideEffect.READ, SideEffect.WRITE, SideEffect.WRITE, SideEffect.DESTRUCTIVE, SideEffect.WRITE),
                m.tools().stream().map(ToolDefinition::sideEffect).toList());
        assertEquals("Insert a row", m.tools().get(1).description());
        assertEquals("object", m.tools().get(1).inputSchema().path("type").asText());
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("'insertRow' has no inputSchema")), m.warnings().toString());
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("'a_b' renamed a_b_2")), m.warnings().toString());
        assertEquals("pager", m.title());
    }

    @Test
    void answersA401WithTheCredentialTheServerAsksFor() {
        // Given an MCP server protected by OAuth, pointing at its resource metadata
        String[] base = new String[1];
        String url = serve(exchange -> {
            if (exchange.getRequestURI().getPath().equals("/.well-known/oauth-protected-resource")) {
                respond(exchange, 200, "application/json", "{\"resource\":\"" + base[0] + "/mcp\",\"authorization_servers\":"
                        + "[\"https://auth.example.com/realms/tools\"],\"scopes_supported\":[\"mcp:tools\",\"mcp:read\"]}");
                return;
            }
            exchange.getResponseHeaders().add("WWW-Authenticate",
                    "Bearer realm=\"tools\", resource_metadata=\"" + base[0] + "/.well-known/oauth-protected-resource\"");
            respond(exchange, 401, "application/json", "{\"error\":\"invalid_token\"}");
        });
        base[0] = url.substring(0, url.length() - "/mcp".length());

        // When
        ImportException e = assertThrows(ImportException.class, () -> importer.importSource(mcp("streamable_http", url)));

        // Then
        assertEquals(ImportException.Kind.AUTH_REQUIRED, e.kind());
        assertTrue(e.getMessage().contains("answered 401: it needs an OAuth bearer token"), e.getMessage());
        assertTrue(e.getMessage().contains("resource metadata " + base[0] + "/.well-known/oauth-protected-resource"), e.getMessage());
        assertTrue(e.getMessage().contains("authorization server https://auth.example.com/realms/tools"), e.getMessage());
        assertTrue(e.getMessage().contains("scopes supported mcp:tools mcp:read"), e.getMessage());
    }

    @Test
    void reportsAUrlThatIsNotAnMcpServer() {
        // Given a web page and a server without the path
        String page = serve(exchange -> respond(exchange, 200, "text/html", "<html><body>Welcome</body></html>"));
        ImportException html = assertThrows(ImportException.class, () -> importer.importSource(mcp("streamable_http", page)));
        assertEquals(ImportException.Kind.UNREACHABLE, html.kind());
        assertTrue(html.getMessage().contains("is not an MCP server over Streamable HTTP: it answered initialize with 'text/html'"),
                html.getMessage());

        stopFake();
        String missing = serve(exchange -> respond(exchange, 404, "text/plain", "no such page"));
        ImportException notFound = assertThrows(ImportException.class, () -> importer.importSource(mcp("sse", missing)));
        assertEquals(ImportException.Kind.UNREACHABLE, notFound.kind());
        assertTrue(notFound.getMessage().contains("is not an MCP server over HTTP+SSE: it answered HTTP 404"), notFound.getMessage());
    }

    @Test
    void reportsAnUnreachableServer() {
        ImportException e = assertThrows(ImportException.class, () -> importer.importSource(mcp("streamable_http", "http://127.0.0.1:1/mcp")));
        assertEquals(ImportException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("Cannot connect to 127.0.0.1:1"), e.getMessage());
    }

    @Test
    void registersAStdioServerWithoutRunningIt() {
        // When
        ImportException e = assertThrows(ImportException.class, () -> importer.importSource(
                new SourceConfig(null, null, "stdio", "npx", List.of("-y", McpEverything.PACKAGE), false)));

        // Then
        assertEquals(ImportException.Kind.DEFERRED, e.kind());
        assertTrue(e.getMessage().contains("probed by the invoker"), e.getMessage());
        ImportException unknown = assertThrows(ImportException.class,
                () -> importer.importSource(new SourceConfig("http://127.0.0.1:1/mcp", null, "websocket", null, List.of(), false)));
        assertEquals(ImportException.Kind.UNSUPPORTED, unknown.kind());
    }

    @Test
    void normalizesTheToolsTheInvokerProbedLikeListedOnes() throws Exception {
        // Given an invoker that lists three tools of a stdio server: read-only, destructive with an
        // output schema, and one whose input schema arrived broken
        List<String> asked = new CopyOnWriteArrayList<>();
        McpImporter viaInvoker = new McpImporter(new UpstreamHttp(Duration.ofSeconds(5)), JSON, Duration.ofSeconds(15), 32L * 1024 * 1024,
                (command, args) -> {
                    asked.add(command + " " + String.join(" ", args));
                    return ProbeMcpServerResponse.newBuilder().setServerName("notes").setServerTitle("Notes server")
                            .addTools(McpToolListing.newBuilder().setName("list-notes").setDescription("Lists notes.")
                                    .setInputSchemaJson("{\"properties\":{\"tag\":{\"type\":\"string\"}}}").setAnnotationsJson("{\"readOnlyHint\":true}"))
                            .addTools(McpToolListing.newBuilder().setName("deleteNote").setTitle("Delete a note").setInputSchemaJson("{\"type\":\"object\"}")
                                    .setOutputSchemaJson("{\"type\":\"object\",\"title\":\"Deleted\"}").setAnnotationsJson("{\"destructiveHint\":true}"))
                            .addTools(McpToolListing.newBuilder().setName("broken").setInputSchemaJson("{not json"))
                            .addWarnings("tools/list repeated a cursor; listing stopped there.")
                            .build();
                });

        // When
        Manifest manifest = viaInvoker.importSource(new SourceConfig(null, null, "stdio", "node", List.of("server.js", "--stdio"), false));

        // Then: the invoker was asked for that command; names, schemas and side effects as for HTTP servers
        assertEquals(List.of("node server.js --stdio"), asked);
        assertEquals("Notes server", manifest.title());
        assertEquals(List.of(), manifest.declaredHosts());
        Map<String, ToolDefinition> byName = manifest.tools().stream().collect(Collectors.toMap(ToolDefinition::name, Function.identity()));
        assertEquals(List.of("list_notes", "delete_note", "broken"), manifest.tools().stream().map(ToolDefinition::name).toList());
        ToolDefinition list = byName.get("list_notes");
        assertEquals(SideEffect.READ, list.sideEffect());
        assertEquals("object", list.inputSchema().path("type").asText());
        assertEquals("string", list.inputSchema().path("properties").path("tag").path("type").asText());
        assertEquals(new ToolBinding.Mcp("stdio", null, "node", List.of("server.js", "--stdio"), "list-notes"), list.binding());
        ToolDefinition delete = byName.get("delete_note");
        assertEquals(SideEffect.DESTRUCTIVE, delete.sideEffect());
        assertEquals("Delete a note", delete.description());
        assertEquals("Deleted", delete.outputSchema().path("title").asText());
        assertEquals(SideEffect.WRITE, byName.get("broken").sideEffect());
        assertTrue(manifest.warnings().contains("tools/list repeated a cursor; listing stopped there."), manifest.warnings().toString());
        assertTrue(manifest.warnings().stream().anyMatch(w -> w.contains("'broken': its inputSchema from the invoker is not JSON")),
                manifest.warnings().toString());
    }

    @Test
    void passesOnWhatTheInvokerSaidWhenItCouldNotProbe() {
        // Given an invoker that keeps the source in draft
        McpImporter viaInvoker = new McpImporter(new UpstreamHttp(Duration.ofSeconds(5)), JSON, Duration.ofSeconds(15), 32L * 1024 * 1024,
                (command, args) -> {
                    throw new ImportException(ImportException.Kind.DEFERRED, "the invoker could not be reached");
                });

        // When
        ImportException e = assertThrows(ImportException.class,
                () -> viaInvoker.importSource(new SourceConfig(null, null, null, "node", List.of("server.js"), false)));

        // Then: a command alone means stdio, and the invoker's answer decides the outcome
        assertEquals(ImportException.Kind.DEFERRED, e.kind());
        assertEquals("the invoker could not be reached", e.getMessage());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** Serves {@code handler} on a free loopback port; returns {@code http://127.0.0.1:<port>/mcp}. */
    private String serve(Handler handler) {
        try {
            fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fake.createContext("/", exchange -> {
            try (exchange) {
                handler.handle(exchange);
            }
        });
        fake.start();
        return "http://127.0.0.1:" + fake.getAddress().getPort() + "/mcp";
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static SourceConfig mcp(String transport, String url) {
        return new SourceConfig(url, null, transport, null, List.of(), false);
    }

    private static List<String> names(Manifest m) {
        return m.tools().stream().map(ToolDefinition::name).toList();
    }

    private static List<String> iterator(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
